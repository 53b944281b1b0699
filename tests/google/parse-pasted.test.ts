/** The manual connection's parser (pure): what users paste back from the browser. */
import { describe, expect, it } from 'vitest';
import { parsePasted } from '../../electron/core/google/oauth';

const STATE = 'Zq3-expected_state_value_0123456789';
const bad = (text: string) => {
  try {
    parsePasted(text, STATE);
  } catch (e) {
    return e as { code: string; message: string; field?: string };
  }
  throw new Error('expected a refusal');
};

describe('parsePasted', () => {
  it('reads the code from the full URL the browser ended on', () => {
    expect(parsePasted(`http://127.0.0.1:53682/oauth2callback?state=${STATE}&code=4/0AeanS0a-b_c.d~e&scope=email%20openid`, STATE)).toEqual({ kind: 'code', code: '4/0AeanS0a-b_c.d~e' });
    // percent-encoded slash, as Google sends it
    expect(parsePasted(`http://127.0.0.1:1/oauth2callback?code=4%2F0AeanS0abc&state=${STATE}`, STATE)).toEqual({ kind: 'code', code: '4/0AeanS0abc' });
  });

  it('reads error=access_denied from the URL', () => {
    expect(parsePasted(`http://127.0.0.1:53682/oauth2callback?error=access_denied&state=${STATE}`, STATE)).toEqual({ kind: 'error', error: 'access_denied' });
  });

  it('takes a bare code, trimmed, and a percent-encoded one', () => {
    expect(parsePasted('  4/0AeanS0aBcDeF-gh_ij\n', STATE)).toEqual({ kind: 'code', code: '4/0AeanS0aBcDeF-gh_ij' });
    expect(parsePasted('4%2F0AeanS0aBcDeF', STATE)).toEqual({ kind: 'code', code: '4/0AeanS0aBcDeF' });
  });

  it('takes just the query string', () => {
    expect(parsePasted(`?state=${STATE}&code=4/0Aabcdefgh`, STATE)).toEqual({ kind: 'code', code: '4/0Aabcdefgh' });
  });

  it('refuses junk, naming what is wrong', () => {
    for (const junk of ['hello world', 'abc', '<script>alert(1)</script>', '4/0A abc def']) {
      expect(bad(junk)).toMatchObject({ code: 'BAD_INPUT', field: 'pasted', message: expect.stringContaining('neither the address your browser ended on nor an authorization code') });
    }
    expect(bad('   ')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('Nothing was pasted') });
    expect(bad('http://[bad')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('not a valid one') });
  });

  it('refuses a URL with the wrong state, without state, or without code', () => {
    expect(bad('http://127.0.0.1:1/oauth2callback?state=another&code=4/0Aabcdefgh')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('another connection attempt') });
    expect(bad('http://127.0.0.1:1/oauth2callback?code=4/0Aabcdefgh')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('no "state"') });
    expect(bad(`http://127.0.0.1:1/oauth2callback?state=${STATE}`)).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('no authorization code') });
  });
});
