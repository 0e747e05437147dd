// A short line diff for assertion messages (the full texts are too long to read).
export function lineDiff(actual, expected, context = 1) {
  const a = actual.split('\n');
  const b = expected.split('\n');
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    // Find the nearest resynchronisation point.
    let found = null;
    for (let d = 1; d < 200 && !found; d += 1) {
      for (let k = 0; k <= d; k += 1) {
        if (a[i + k] !== undefined && a[i + k] === b[j + d - k]) {
          found = [k, d - k];
          break;
        }
      }
    }
    const [da, db] = found || [a.length - i, b.length - j];
    out.push(`@@ live line ${i + 1}, file line ${j + 1}`);
    for (let c = Math.max(0, i - context); c < i; c += 1) out.push(`  ${a[c]}`);
    for (let k = 0; k < da; k += 1) out.push(`+ ${a[i + k]}`);
    for (let k = 0; k < db; k += 1) out.push(`- ${b[j + k]}`);
    i += da;
    j += db;
    if (out.length > 200) break;
  }
  return out.join('\n');
}
