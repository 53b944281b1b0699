/**
 * Descriptions go both ways (FTC019 §3.3.3). Google may hold HTML (its web UI writes <b>, <br>,
 * links); the CRM keeps plain text. Pulled HTML is stored readably (html-to-text), and a
 * description is pushed back only when the CRM text differs from what Google's current value
 * reads as — so an HTML description never ping-pongs between the two.
 */
import { compile } from 'html-to-text';

const TAG = /<\/?[a-z][\s\S]*?>/i;

/** The HTML converter, compiled once (html-to-text's `convert` compiles its options on every call). */
const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
  ],
});

/** Plain text of a Google description (HTML or not), with normalised line ends and no trailing blanks. */
export function readableDescription(google: string | null | undefined): string {
  if (!google) return '';
  return normalizeText(TAG.test(google) ? toText(google) : google);
}

/** Line blanks that normalizeText removes, other than at the very end (which trim() removes). */
const LINE_END_BLANKS = /\r|[ \t\u00a0]\n/;

export function normalizeText(text: string): string {
  // Most texts (every empty one) have nothing to normalise but their ends: no split and join.
  if (!LINE_END_BLANKS.test(text)) return text.trim();
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+$/u, ''))
    .join('\n')
    .trim();
}

/** Whether the CRM's text says the same as Google's value (so nothing needs pushing). */
export function sameDescription(crm: string, google: string | null | undefined): boolean {
  return normalizeText(crm) === readableDescription(google);
}
