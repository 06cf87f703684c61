import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRAVITY, rankTrending, trendingScore, weightedVotes } from '../../../src/core/lists/trending.js';

test('the score is (votes + 1) / (age + 2) ^ gravity, computed by hand', () => {
  assert.equal(trendingScore(0, 0), 1 / Math.pow(2, GRAVITY));
  assert.ok(Math.abs(trendingScore(9, 22) - 10 / Math.pow(24, 1.8)) < 1e-12);
  assert.equal(trendingScore(3, -5), trendingScore(3, 0), 'a paper from the future counts as brand new');
});

test('without votes, newest first; votes lift older papers, but decay wins in the end', () => {
  const now = '2026-11-20T12:00:00Z';
  const ranked = (votesOfOld: number) =>
    rankTrending(
      [
        { id: 'old', appearedAt: '2026-11-17T00:00:00Z', votes: votesOfOld },
        { id: 'new', appearedAt: '2026-11-20T00:00:00Z', votes: 0 },
        { id: 'mid', appearedAt: '2026-11-19T00:00:00Z', votes: 0 },
      ],
      now,
    ).map((entry) => entry.id);
  assert.deepEqual(ranked(0), ['new', 'mid', 'old']);
  // Ages 84, 36 and 12 h: old passes mid when v + 1 > (86/38)^1.8 ≈ 4.35, and new when v + 1 > (86/14)^1.8 ≈ 26.2.
  assert.deepEqual(ranked(3), ['new', 'mid', 'old']);
  assert.deepEqual(ranked(4), ['new', 'old', 'mid']);
  assert.deepEqual(ranked(25), ['new', 'old', 'mid']);
  assert.deepEqual(ranked(26), ['old', 'new', 'mid']);
});

test('ties go to the newer paper, then the higher id', () => {
  const ranked = rankTrending(
    [
      { id: 'a', appearedAt: '2026-11-20T00:00:00Z', votes: 0 },
      { id: 'b', appearedAt: '2026-11-20T00:00:00Z', votes: 0 },
    ],
    '2026-11-21T00:00:00Z',
  );
  assert.deepEqual(
    ranked.map((entry) => entry.id),
    ['b', 'a'],
  );
});

test('votes from new accounts count half', () => {
  assert.equal(weightedVotes(10, 0), 10);
  assert.equal(weightedVotes(10, 4), 8);
  assert.equal(weightedVotes(4, 4), 2);
});
