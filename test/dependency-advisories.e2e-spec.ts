import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { satisfies } from 'semver';

/**
 * `npm audit` needs the registry's advisory endpoint, which some registries and mirrors
 * refuse (HTTP 405). This checks the lockfile instead against advisories of packages in
 * this kind of dependency tree (web framework, HTTP, JWT, YAML, validation), so a lockfile
 * change that brings a known-bad version back fails here. It is no substitute for
 * `npm audit --omit=dev` where the registry allows it (README, "Checking dependencies").
 */
const ADVISORIES: Array<{ name: string; vulnerable: string; advisory: string }> = [
  { name: '@modelcontextprotocol/sdk', vulnerable: '<1.24.0', advisory: 'CVE-2025-66414 (DNS rebinding protection off by default)' },
  { name: 'express', vulnerable: '<4.20.0', advisory: 'CVE-2024-43796, CVE-2024-29041' },
  { name: 'body-parser', vulnerable: '<1.20.3', advisory: 'CVE-2024-45590' },
  { name: 'path-to-regexp', vulnerable: '<0.1.12 || >=1.0.0 <1.9.0 || >=2.0.0 <3.3.0 || >=4.0.0 <6.3.0', advisory: 'CVE-2024-45296, CVE-2024-52798' },
  { name: 'cookie', vulnerable: '<0.7.0', advisory: 'CVE-2024-47764' },
  { name: 'send', vulnerable: '<0.19.0', advisory: 'CVE-2024-43799' },
  { name: 'serve-static', vulnerable: '<1.16.0', advisory: 'CVE-2024-43800' },
  { name: 'qs', vulnerable: '<6.14.1', advisory: 'CVE-2022-24999, CVE-2025-15284' },
  { name: 'fastify', vulnerable: '>=5.0.0 <5.3.2', advisory: 'CVE-2025-32442' },
  { name: 'find-my-way', vulnerable: '>=5.5.0 <8.2.2 || >=9.0.0 <9.0.1', advisory: 'CVE-2024-45813' },
  { name: 'jose', vulnerable: '<2.0.7 || >=3.0.0 <4.15.5', advisory: 'CVE-2024-28176' },
  { name: 'validator', vulnerable: '<13.15.20', advisory: 'CVE-2025-56200' },
  { name: 'yaml', vulnerable: '>=2.0.0-5 <2.2.2', advisory: 'CVE-2023-2251' },
  { name: 'js-yaml', vulnerable: '<3.14.2 || >=4.0.0 <4.1.1', advisory: 'CVE-2025-64718' },
  { name: 'protobufjs', vulnerable: '>=6.10.0 <6.11.4 || >=7.0.0 <7.2.5', advisory: 'CVE-2023-36665' },
  { name: 'ws', vulnerable: '>=2.1.0 <5.2.4 || >=6.0.0 <6.2.3 || >=7.0.0 <7.5.10 || >=8.0.0 <8.17.1', advisory: 'CVE-2024-37890' },
  { name: 'undici', vulnerable: '<5.28.5 || >=6.0.0 <6.21.1 || >=7.0.0 <7.2.3', advisory: 'CVE-2025-22150' },
  { name: 'form-data', vulnerable: '<2.5.4 || >=3.0.0 <3.0.4 || >=4.0.0 <4.0.4', advisory: 'CVE-2025-7783' },
  { name: 'cross-spawn', vulnerable: '<6.0.6 || >=7.0.0 <7.0.5', advisory: 'CVE-2024-21538' },
  { name: 'semver', vulnerable: '<5.7.2 || >=6.0.0 <6.3.1 || >=7.0.0 <7.5.2', advisory: 'CVE-2022-25883' },
  { name: 'multer', vulnerable: '<2.0.2', advisory: 'CVE-2025-47935, CVE-2025-7338' },
  { name: 'on-headers', vulnerable: '<1.1.0', advisory: 'CVE-2025-7339' },
  { name: 'micromatch', vulnerable: '<4.0.8', advisory: 'CVE-2024-4067' },
  { name: 'braces', vulnerable: '<3.0.3', advisory: 'CVE-2024-4068' },
  { name: 'nanoid', vulnerable: '<3.3.8 || >=4.0.0 <5.0.9', advisory: 'CVE-2024-55565' },
  { name: 'tar', vulnerable: '<6.2.1', advisory: 'CVE-2024-28863' },
  { name: 'axios', vulnerable: '<0.30.0 || >=1.0.0 <1.8.2', advisory: 'CVE-2025-27152' },
  { name: 'brace-expansion', vulnerable: '<1.1.12 || >=2.0.0 <2.0.2', advisory: 'CVE-2025-5889' },
];

interface LockedPackage {
  version?: string;
  dev?: boolean;
}

function installed(): Array<{ name: string; version: string; dev: boolean }> {
  const lock = JSON.parse(readFileSync(resolve(__dirname, '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.version)
    .map(([path, entry]) => ({
      name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version!,
      dev: entry.dev === true,
    }));
}

describe('dependencies against known advisories (package-lock.json)', () => {
  const packages = installed();
  const findings = (dev: boolean) =>
    packages
      .filter((pkg) => pkg.dev === dev)
      .flatMap((pkg) =>
        ADVISORIES.filter((advisory) => advisory.name === pkg.name && satisfies(pkg.version, advisory.vulnerable, { includePrerelease: true })).map(
          (advisory) => `${pkg.name}@${pkg.version}: ${advisory.advisory}`,
        ),
      );

  it('reads the whole tree (the check is not vacuous)', () => {
    expect(packages.length).toBeGreaterThan(300);
    expect(packages.some((pkg) => pkg.name === 'express' && !pkg.dev)).toBe(true);
  });

  it('ships no version with a known advisory (what `npm audit --omit=dev` covers)', () => {
    expect(findings(false)).toEqual([]);
  });

  it('has none among the development tools either', () => {
    expect(findings(true)).toEqual([]);
  });
});
