// Builds dist/ once before the end-to-end suites that start `node dist/main.js` processes
// (several suites run in parallel; building in each would race on the same files).
const { execFileSync } = require('node:child_process');
const { resolve } = require('node:path');

module.exports = async () => {
  const root = resolve(__dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
};
