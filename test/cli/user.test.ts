import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';

test('user create makes the first admin, changes a role in place, and rejects a bad address', async (t) => {
  const db = join(tempDir(t), 'users.db');
  const created = await runCli(['--db', db, 'user', 'create', ' Admin@Example.org ', '--admin', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const admin = JSON.parse(created.stdout) as { id: string; email: string; role: string };
  assert.equal(admin.email, 'admin@example.org');
  assert.equal(admin.role, 'admin');
  const changed = await runCli(['--db', db, 'user', 'create', 'admin@example.org', '--moderator', '--json']);
  const moderator = JSON.parse(changed.stdout) as { id: string; role: string };
  assert.deepEqual([moderator.id, moderator.role], [admin.id, 'moderator']);
  const bad = await runCli(['--db', db, 'user', 'create', 'not an address']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'openpapers: "not an address" is not an email address\n');
});

test('several processes opening one new database at once migrate it once', async (t) => {
  const db = join(tempDir(t), 'raced.db');
  const results = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((n) => runCli(['--db', db, 'user', 'create', `user${n}@example.org`, '--json'])),
  );
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const ids = new Set(results.map((result) => (JSON.parse(result.stdout) as { id: string }).id));
  assert.equal(ids.size, 6);
});
