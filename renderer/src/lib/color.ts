/** Readable text colour on a coloured block: whichever of near-black and white contrasts more (WCAG). */
function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m?.[1]) return 1;
  const n = parseInt(m[1], 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

const DARK = '#1b2430';
const LIGHT = '#ffffff';

/** WCAG AA for normal text (block titles are 12 px). */
const AA = 4.5;

export function textColorOn(background: string): string {
  const l = luminance(background);
  const dark = luminance(DARK);
  const contrastDark = (l + 0.05) / (dark + 0.05);
  const contrastLight = 1.05 / (l + 0.05);
  if (Math.max(contrastDark, contrastLight) >= AA) return contrastDark >= contrastLight ? DARK : LIGHT;
  // Mid-tone colours (e.g. #1e88e5, #00897b) reach AA with neither: pure black gets further
  // than the near-black (found by the axe check in e2e/a11y.spec.ts).
  const contrastBlack = (l + 0.05) / 0.05;
  return contrastBlack >= contrastLight ? '#000000' : LIGHT;
}
