/**
 * Contact photos, CRM → Google (FTC019 §3.4.2: add, change, delete). people.updateContactPhoto
 * takes the raw bytes of a JPEG or PNG; the CRM may hold large or odd images (a phone's 12 MP
 * picture, CMYK, EXIF-rotated, a PNG with transparency). Each is decoded and re-encoded here to a
 * plain sRGB JPEG no larger than 512×512 — what a contact photo is shown at, a fraction of the
 * upload — with sharp (libvips, prebuilt binaries from the npm registry). An image that does not
 * decode is reported for that contact; the sync goes on with the others.
 */
import sharp from 'sharp';

/** Longest side of the photo sent to Google (never enlarged). */
export const PHOTO_MAX_SIDE = 512;

export class BadPhoto extends Error {
  constructor(detail: string) {
    super(`its photo cannot be read as a JPEG or PNG image (${detail}): replace it in the CRM`);
    this.name = 'BadPhoto';
  }
}

export async function photoForGoogle(bytes: Buffer): Promise<Buffer> {
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    if (meta.format !== 'jpeg' && meta.format !== 'png') throw new BadPhoto(`it is ${meta.format ?? 'of an unknown format'}`);
    return await sharp(bytes, { failOn: 'error' })
      .rotate() // EXIF orientation, then dropped with the rest of the metadata
      .resize(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
  } catch (error) {
    if (error instanceof BadPhoto) throw error;
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 120);
    throw new BadPhoto(first);
  }
}
