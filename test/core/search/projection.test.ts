import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitProjection, project } from '../../../src/core/search/projection.js';

/** `count` vectors of `dims` dimensions whose energy lies in `directions` of them, plus a little noise. */
function vectorsNear(directions: number, dims: number, count: number, noise: number): Float32Array[] {
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  // A fixed rotation of the first `directions` axes, so that the subspace is not made of coordinate axes.
  const axes = Array.from({ length: directions }, () => Float32Array.from({ length: dims }, next));
  return Array.from({ length: count }, () => {
    const vector = Float32Array.from({ length: dims }, () => noise * next());
    for (const axis of axes) {
      const weight = next();
      for (let i = 0; i < dims; i++) vector[i]! += weight * (axis[i] as number);
    }
    return vector;
  });
}

const dot = (a: Float32Array, b: Float32Array) =>
  a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);

test('a projection keeps as few dimensions as hold the energy asked for, in steps of 32 within its bounds', () => {
  const size = { minDims: 32, maxDims: 128, energy: 0.97 };
  // Energy in 40 directions: 64 dimensions hold it (32 do not), whatever the 192 others carry in noise.
  const near = vectorsNear(40, 192, 1_500, 0.01);
  const projection = fitProjection(near, size);
  assert.equal(projection.to, 64);
  // Inner products survive the projection.
  for (let i = 0; i < 20; i++) {
    const [a, b] = [near[i] as Float32Array, near[i + 20] as Float32Array];
    const exact = dot(a, b);
    assert.ok(
      Math.abs(dot(project(projection, a), project(projection, b)) - exact) < 0.02 * Math.abs(exact) + 0.05,
    );
  }
  // Energy spread evenly over 192 directions: no fewer than the most allowed hold 97% of it.
  assert.equal(fitProjection(vectorsNear(192, 192, 1_500, 0), size).to, 128);
  // A subspace smaller than the least allowed keeps the least.
  assert.equal(fitProjection(vectorsNear(8, 192, 1_500, 0.001), size).to, 32);
});
