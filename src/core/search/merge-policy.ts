/**
 * Which segments to merge next: a size-tiered policy. Segments are grouped into tiers by their live size
 * (each tier `mergeFactor` times larger than the one below, from `floorDocs`); when a tier holds
 * `mergeFactor` segments, its smallest ones are merged into one of the next tier. A segment that has lost
 * more than `maxDeletedRatio` of its documents is rewritten with its neighbours in size, to give the space
 * back. So each document is merged about log(N / floor) times, and a search sees few segments.
 */

export interface SegmentSize {
  id: number;
  docs: number;
  live: number;
}

export interface MergePolicy {
  mergeFactor: number;
  floorDocs: number;
  maxDeletedRatio: number;
  /** No merge produces a segment larger than this (vector segments, whose graphs cost more to build). */
  maxMergedDocs: number;
}

export const DEFAULT_MERGE_POLICY: MergePolicy = Object.freeze({
  mergeFactor: 10,
  floorDocs: 2_000,
  maxDeletedRatio: 0.3,
  maxMergedDocs: Number.POSITIVE_INFINITY,
});

export function tierOf(live: number, policy: MergePolicy): number {
  return Math.max(
    0,
    Math.floor(Math.log(Math.max(live, 1) / policy.floorDocs) / Math.log(policy.mergeFactor)),
  );
}

/** The ids of the segments to merge into one, or null when the index is in shape. */
export function chooseMerge(
  segments: readonly SegmentSize[],
  policy: MergePolicy = DEFAULT_MERGE_POLICY,
): number[] | null {
  const candidates = segments.filter((s) => s.live < policy.maxMergedDocs);
  const tiers = new Map<number, SegmentSize[]>();
  for (const segment of candidates) {
    const tier = tierOf(segment.live, policy);
    tiers.set(tier, [...(tiers.get(tier) ?? []), segment]);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const members = (tiers.get(tier) as SegmentSize[]).sort((a, b) => a.live - b.live || a.id - b.id);
    if (members.length < policy.mergeFactor) continue;
    const chosen = withinCap(members.slice(0, policy.mergeFactor), policy);
    if (chosen.length >= 2) return chosen.map((s) => s.id);
  }
  const worn = candidates
    .filter((s) => s.docs > 0 && (s.docs - s.live) / s.docs > policy.maxDeletedRatio)
    .sort((a, b) => (b.docs - b.live) / b.docs - (a.docs - a.live) / a.docs);
  if (worn.length > 0) {
    const first = worn[0] as SegmentSize;
    const tier = tierOf(first.live, policy);
    const company = (tiers.get(tier) ?? []).filter((s) => s.id !== first.id);
    return withinCap([first, ...company].slice(0, policy.mergeFactor), policy).map((s) => s.id);
  }
  return null;
}

function withinCap(segments: readonly SegmentSize[], policy: MergePolicy): SegmentSize[] {
  const chosen: SegmentSize[] = [];
  let total = 0;
  for (const segment of segments) {
    if (chosen.length > 0 && total + segment.live > policy.maxMergedDocs) break;
    chosen.push(segment);
    total += segment.live;
  }
  return chosen;
}
