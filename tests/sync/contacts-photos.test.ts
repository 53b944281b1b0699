/**
 * Photos for Google (issue 6): whatever JPEG or PNG the CRM holds becomes a plain JPEG of at most
 * 512×512; what does not decode is refused with a clear reason.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BadPhoto, photoForGoogle } from '../../electron/core/sync/contacts/photos';

describe('photoForGoogle', () => {
  it('re-encodes a large JPEG and a transparent PNG to JPEGs that fit in 512×512, never enlarging a small one', async () => {
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const out = await sharp(await photoForGoogle(big)).metadata();
    expect([out.format, out.width, out.height]).toEqual(['jpeg', 512, 341]);
    const png = await sharp({ create: { width: 300, height: 600, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.2 } } }).png().toBuffer();
    const p = await sharp(await photoForGoogle(png)).metadata();
    expect([p.format, p.width, p.height, p.hasAlpha]).toEqual(['jpeg', 256, 512, false]);
    const small = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#000' } }).png().toBuffer();
    expect(await sharp(await photoForGoogle(small)).metadata()).toMatchObject({ format: 'jpeg', width: 40, height: 30 });
  });

  it('refuses a cut JPEG, garbage and another format, saying why', async () => {
    const jpeg = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    await expect(photoForGoogle(jpeg.subarray(0, 100))).rejects.toThrow(BadPhoto);
    await expect(photoForGoogle(Buffer.from('not an image at all'))).rejects.toThrow(/^its photo cannot be read as a JPEG or PNG image \(.+\): replace it in the CRM$/);
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } }).gif().toBuffer();
    await expect(photoForGoogle(gif)).rejects.toThrow('its photo cannot be read as a JPEG or PNG image (it is gif): replace it in the CRM');
  });
});
