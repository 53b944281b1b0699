/**
 * Action type colour → the nearest of Google Calendar's 11 event colours (FTC019 §3.3.2,
 * « Transfert couleur Actions »). Nearest in the perceptual OKLCH space (culori), weighting
 * hue and chroma over lightness: Google's palette is all light, pastel tones, so with plain
 * ΔE (CIEDE2000) a CRM's dark purple or grey lands on Google's mid blue because lightness
 * dominates; a user expects Grape and Graphite. Weights checked on the demo's 8 type colours.
 */
import { differenceEuclidean, parse } from 'culori';

/** colors.get, event palette (BRIEF §7): colorId → background. */
export const GOOGLE_EVENT_COLORS: Readonly<Record<string, string>> = {
  '1': '#a4bdfc',
  '2': '#7ae7bf',
  '3': '#dbadff',
  '4': '#ff887c',
  '5': '#fbd75b',
  '6': '#ffb878',
  '7': '#46d6db',
  '8': '#e1e1e1',
  '9': '#5484ed',
  '10': '#51b749',
  '11': '#dc2127',
};

const distance = differenceEuclidean('oklch', [0.1, 1, 1.5, 0]);
const palette = Object.entries(GOOGLE_EVENT_COLORS).map(([id, hex]) => ({ id, color: parse(hex)! }));

/**
 * Answers by colour, for the process: a CRM has a handful of type colours and the palette never
 * changes. The first distance computed in a process costs ~1.5 ms (culori's conversions run cold),
 * which a run paid before its first request, once per type (bench/agenda.ts, 100 edits: CPU profile).
 */
const nearest = new Map<string, string | null>();

/** The Google event colorId closest to `hex` (e.g. "#1e88e5" → "9"); null for an unreadable colour. */
export function nearestEventColor(hex: string): string | null {
  let id = nearest.get(hex);
  if (id === undefined) {
    // Bounded: colours come from the CRM's types, but nothing stops a user from trying many.
    if (nearest.size >= 256) nearest.clear();
    nearest.set(hex, (id = computeNearest(hex)));
  }
  return id;
}

function computeNearest(hex: string): string | null {
  const target = parse(hex);
  if (!target) return null;
  let best: { id: string; d: number } | null = null;
  for (const p of palette) {
    const d = distance(target, p.color);
    if (!best || d < best.d) best = { id: p.id, d };
  }
  return best?.id ?? null;
}
