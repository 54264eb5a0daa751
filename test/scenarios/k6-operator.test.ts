import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scenarioNames } from '../../scenarios/definitions/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifestText = await readFile(`${root}examples/k6-operator/testrun.yaml`, 'utf8');
const manifest = parse(manifestText) as Record<string, any>;

/** TestRunSpec's fields in k6-operator's api/v1alpha1/testrun_types.go: anything else is a typo the CRD drops. */
const specFields = [
  'script',
  'parallelism',
  'separate',
  'arguments',
  'ports',
  'initializer',
  'starter',
  'runner',
  'quiet',
  'paused',
  'scuttle',
  'cleanup',
];

describe('examples/k6-operator/testrun.yaml', () => {
  it('is a k6-operator TestRun with parallelism and a ConfigMap script', () => {
    expect(manifest.apiVersion).toBe('k6.io/v1alpha1');
    expect(manifest.kind).toBe('TestRun');
    expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(Object.keys(manifest.spec).filter((field) => !specFields.includes(field))).toEqual([]);
    expect(Number.isInteger(manifest.spec.parallelism) && manifest.spec.parallelism > 1).toBe(true);
    expect(Object.keys(manifest.spec.script)).toEqual(['configMap']);
  });

  it('runs a bundle `npm run k6:build` writes, from the ConfigMap its commands create', () => {
    const { name, file } = manifest.spec.script.configMap;
    expect(scenarioNames.map((scenario) => `${scenario}.js`)).toContain(file);
    expect(manifestText).toContain(`kubectl create configmap ${name} --from-file=dist/k6/`);
  });

  it('gives the runners BASE_URL, and only variables the script reads', async () => {
    const env = manifest.spec.runner.env as { name: string; value: string }[];
    for (const variable of env) expect(typeof variable.value, variable.name).toBe('string');
    const names = env.map((variable) => variable.name);
    expect(names).toContain('BASE_URL');
    const script = await readFile(
      `${root}scenarios/k6/${manifest.spec.script.configMap.file.replace(/\.js$/, '.ts')}`,
      'utf8',
    );
    const lib = await readFile(`${root}scenarios/k6/lib.ts`, 'utf8');
    for (const name of names)
      expect(`${script}\n${lib}`, name).toMatch(new RegExp(`__ENV\\.${name}\\b|intEnv\\('${name}'`));
  });

  it('is the manifest the README shows', async () => {
    const readme = await readFile(`${root}README.md`, 'utf8');
    const shown = /```yaml\n(apiVersion: k6\.io\/v1alpha1\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(shown, 'README shows a TestRun').toBeDefined();
    expect(parse(shown!)).toEqual(manifest);
  });
});
