import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ENV_OVERRIDES } from '../src/config/config.constants';
import { CONFIG_DEFAULTS } from '../src/config/config.defaults';
import { HealthPath } from '../src/health';
import { METRICS_PATH } from '../src/metrics';
import { readDockerfile } from './helpers/dockerfile';
import { actionsOf, delimiterProblems, filesUnder, hasPath, skeletonOf, undocumentedKeys, valuePaths } from './helpers/helm-chart';

const ROOT = resolve(__dirname, '..');
const CHART = resolve(ROOT, 'helm', 'mcp-platform');
const read = (path: string) => readFileSync(join(CHART, path), 'utf8');
const TEMPLATE_FILES = filesUnder(join(CHART, 'templates')).map((file) => join('templates', file));
const MANIFESTS = TEMPLATE_FILES.filter((file) => file.endsWith('.yaml'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML/JSON of any shape, read by deep property access in assertions
type Values = Record<string, any>;

/**
 * The Helm chart, checked without a helm binary: Chart.yaml, values against the schema,
 * template syntax, the static YAML of every manifest, and agreement with the app.
 */
describe('the Helm chart (helm/mcp-platform)', () => {
  const values = parse(read('values.yaml')) as Values;
  const schema = JSON.parse(read('values.schema.json')) as Record<string, unknown>;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const withValues = (change: (v: Values) => void): Values => {
    const copy = structuredClone(values);
    change(copy);
    return copy;
  };
  const skeleton = (file: string) => skeletonOf(read(file))[0];

  describe('Chart.yaml', () => {
    const chart = parse(read('Chart.yaml')) as Record<string, unknown>;

    it('is a v2 application chart named like its directory', () => {
      expect(chart).toMatchObject({ apiVersion: 'v2', name: 'mcp-platform', type: 'application' });
      expect(chart.description).toEqual(expect.any(String));
    });

    it('has a semantic version and the app version of package.json', () => {
      expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(chart.appVersion).toBe(pkg.version);
    });

    it('states the Kubernetes versions it supports', () => {
      expect(chart.kubeVersion).toMatch(/^>=\s*1\.\d+/);
    });
  });

  describe('values.yaml and values.schema.json', () => {
    it('has a self-contained draft-07 schema (no remote $ref)', () => {
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]*)"/g)].map((match) => match[1]);
      for (const ref of refs) expect(ref.startsWith('#')).toBe(true);
    });

    it('validates the default values', () => {
      expect(validate(values) ? [] : validate.errors).toEqual([]);
    });

    it('documents every value with a "# --" comment', () => {
      expect(undocumentedKeys(read('values.yaml'))).toEqual([]);
    });

    it('refuses unknown top-level keys (typos)', () => {
      expect(validate(withValues((v) => (v.replicaCout = 2)))).toBe(false);
    });

    it('refuses more than one replica with in-memory sessions', () => {
      expect(validate(withValues((v) => (v.replicaCount = 3)))).toBe(false);
    });

    it('accepts more than one replica with Redis, an existing Redis secret, or stateless mode', () => {
      expect(validate(withValues((v) => ((v.replicaCount = 3), (v.redis.url = 'redis://redis:6379'))))).toBe(true);
      expect(validate(withValues((v) => ((v.replicaCount = 3), (v.redis.existingSecret = 'redis'))))).toBe(true);
      expect(validate(withValues((v) => ((v.replicaCount = 3), (v.app.sessionMode = 'stateless'))))).toBe(true);
    });

    it('accepts more than one replica with Redis Sentinel or Cluster, not with an empty node list', () => {
      const sentinel = (sentinels: string[]) => withValues((v) => ((v.replicaCount = 3), (v.redis.mode = 'sentinel'), (v.redis.sentinels = sentinels)));
      expect(validate(sentinel(['sentinel-0:26379', 'sentinel-1:26379']))).toBe(true);
      expect(validate(sentinel([]))).toBe(false);
      expect(validate(withValues((v) => ((v.replicaCount = 3), (v.redis.mode = 'cluster'), (v.redis.clusterNodes = ['redis-0:6379']))))).toBe(true);
      expect(validate(withValues((v) => (v.redis.sentinels = ['no-port'])))).toBe(false);
    });

    it('refuses autoscaling beyond one replica with in-memory sessions', () => {
      expect(validate(withValues((v) => (v.autoscaling.enabled = true)))).toBe(false);
      expect(validate(withValues((v) => ((v.autoscaling.enabled = true), (v.app.sessionMode = 'stateless'))))).toBe(true);
    });

    it('refuses values the app would refuse', () => {
      expect(validate(withValues((v) => (v.app.sessionMode = 'sometimes')))).toBe(false);
      expect(validate(withValues((v) => (v.redis.url = 'http://redis:6379')))).toBe(false);
      expect(validate(withValues((v) => (v.metrics.key = 'short')))).toBe(false);
    });

    it('keeps preStop sleep plus the drain inside terminationGracePeriodSeconds', () => {
      expect(values.shutdown.preStopSleepSeconds + values.shutdown.graceSeconds).toBeLessThan(values.terminationGracePeriodSeconds);
      expect(values.shutdown.graceSeconds).toBe(CONFIG_DEFAULTS.shutdown.graceSeconds);
    });

    it('runs non-root with a read-only root filesystem, no capabilities and seccomp RuntimeDefault', () => {
      expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(values.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(values.securityContext.runAsUser).toBeGreaterThan(0);
    });
  });

  describe('templates', () => {
    it.each(TEMPLATE_FILES)('%s: delimiters and blocks balance', (file) => {
      expect(delimiterProblems(read(file))).toEqual([]);
    });

    it.each(TEMPLATE_FILES)('%s: every .Values path exists in values.yaml', (file) => {
      const missing = valuePaths(read(file)).filter((path) => !hasPath(values, path));
      expect(missing).toEqual([]);
    });

    it.each(MANIFESTS)('%s: its static YAML parses into a Kubernetes object', (file) => {
      const [object] = skeletonOf(read(file));
      expect(object.apiVersion).toEqual(expect.any(String));
      expect(object.kind).toEqual(expect.any(String));
      expect(object.metadata.labels ?? object.metadata.name).toBeDefined();
    });

    it('renders every kind the platform needs', () => {
      const kinds = MANIFESTS.map((file) => skeleton(file).kind);
      expect(kinds).toEqual(
        expect.arrayContaining([
          'Deployment',
          'Service',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'ServiceMonitor',
          'NetworkPolicy',
          'Ingress',
          'ConfigMap',
          'Secret',
          'ServiceAccount',
        ]),
      );
    });

    it('defines name, fullname (63 characters at most), labels and selectorLabels in _helpers.tpl', () => {
      const helpers = read('templates/_helpers.tpl');
      for (const name of ['name', 'fullname', 'labels', 'selectorLabels']) {
        expect(helpers).toContain(`define "mcp-platform.${name}"`);
      }
      const fullname = helpers.slice(helpers.indexOf('define "mcp-platform.fullname"'));
      expect(fullname.slice(0, fullname.indexOf('{{- end }}\n\n'))).toMatch(/trunc 63 \| trimSuffix "-"/);
    });

    it('includes only helpers that _helpers.tpl defines', () => {
      const defined = new Set([...read('templates/_helpers.tpl').matchAll(/define "([^"]+)"/g)].map((match) => match[1]));
      const included = TEMPLATE_FILES.flatMap((file) => [...read(file).matchAll(/include "([^"]+)"/g)].map((match) => match[1]));
      expect(included.filter((name) => !defined.has(name))).toEqual([]);
    });

    it('fails the render for more than one replica without shared sessions, without credentials (unless auth.allowAnonymous), and for a drain longer than the grace period', () => {
      const validation = actionsOf(read('templates/_helpers.tpl')).filter((action) => action.startsWith('fail '));
      expect(validation).toHaveLength(3);
      expect(validation.some((action) => action.includes('auth.allowAnonymous'))).toBe(true);
      expect(read('templates/deployment.yaml').startsWith('{{- include "mcp-platform.validate" . }}')).toBe(true);
    });

    it('says in NOTES.txt how to reach the platform and when more replicas need Redis', () => {
      const notes = read('templates/NOTES.txt');
      expect(notes).toContain('/mcp');
      expect(notes).toMatch(/ONE replica/);
      expect(notes).toContain('redis.url');
    });
  });

  describe('agreement with the app', () => {
    const deployment = skeleton('templates/deployment.yaml');
    const container = deployment.spec.template.spec.containers[0];

    it('probes the app: startup and liveness on /health/live, readiness on /health/ready, by the named port', () => {
      expect(container.ports).toEqual([{ name: 'http', containerPort: 'x', protocol: 'TCP' }]);
      expect(container.startupProbe.httpGet).toEqual({ path: HealthPath.LIVE, port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: HealthPath.LIVE, port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: HealthPath.READY, port: 'http' });
    });

    it('listens where the app and the image do', () => {
      expect(read('templates/deployment.yaml')).toContain('containerPort: {{ .Values.containerPort }}');
      expect(read('templates/deployment.yaml')).toMatch(/- name: PORT\n\s+value: \{\{ \.Values\.containerPort \| quote \}\}/);
      expect(values.containerPort).toBe(CONFIG_DEFAULTS.http.port);
      const stages = readDockerfile(resolve(ROOT, 'Dockerfile'));
      const expose = stages[stages.length - 1].find((instruction) => instruction.keyword === 'EXPOSE');
      expect(Number(expose?.args)).toBe(values.containerPort);
    });

    it('sets only environment variables the app reads', () => {
      const known = new Set<string>([...Object.values(ENV_OVERRIDES), 'MCP_CONFIG']);
      const names = (container.env as Array<{ name: string }>).map((entry) => entry.name);
      expect(names.filter((name) => !known.has(name))).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(['PORT', 'HOST', 'NODE_ID', 'MCP_ALLOWED_HOSTS', 'MCP_SHUTDOWN_GRACE_SECONDS', 'REDIS_URL']));
    });

    it('gives the app in-cluster and Ingress host names in MCP_ALLOWED_HOSTS', () => {
      const helpers = read('templates/_helpers.tpl');
      expect(helpers).toMatch(/printf "%s\.%s\.svc\.%s" \$fullname \$namespace \.Values\.clusterDomain/);
      expect(helpers).toMatch(/range \.Values\.ingress\.hosts/);
      expect(helpers).toContain('.Values.app.allowedHosts');
    });

    it('drains like the app: preStop sleep, terminationGracePeriodSeconds and the app grace period from values', () => {
      const text = read('templates/deployment.yaml');
      expect(text).toContain('terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}');
      expect(text).toMatch(/- name: MCP_SHUTDOWN_GRACE_SECONDS\n\s+value: \{\{ \.Values\.shutdown\.graceSeconds \| quote \}\}/);
      expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', 'x']);
    });

    it('keeps the root filesystem read-only with a writable /tmp', () => {
      expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
      expect(deployment.spec.template.spec.volumes[0]).toMatchObject({ name: 'tmp', emptyDir: { medium: 'Memory' } });
      expect(read('templates/deployment.yaml')).toContain('{{- toYaml .Values.securityContext | nindent 12 }}');
      expect(read('templates/deployment.yaml')).toContain('{{- toYaml .Values.podSecurityContext | nindent 8 }}');
    });

    it('scrapes /metrics on the named port, with the metrics key when one is set', () => {
      const endpoint = skeleton('templates/servicemonitor.yaml').spec.endpoints[0];
      expect(endpoint).toMatchObject({ port: 'http', path: METRICS_PATH });
      expect(endpoint.authorization).toMatchObject({ type: 'Bearer' });
    });

    it('proxies SSE through the Ingress without buffering and with long timeouts', () => {
      const sse = values.ingress.sse.annotations as Record<string, string>;
      expect(sse['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
      expect(Number(sse['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
      const backend = skeleton('templates/ingress.yaml').spec.rules[0].http.paths[0].backend;
      expect(backend.service.port).toEqual({ name: 'http' });
    });

    it('autoscales on CPU and optional custom metrics', () => {
      const text = read('templates/hpa.yaml');
      expect(skeleton('templates/hpa.yaml').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment' });
      expect(text).toContain('.Values.autoscaling.targetCPUUtilizationPercentage');
      expect(text).toContain('.Values.autoscaling.customMetrics');
    });

    it('keeps REDIS_URL and the metrics key in a Secret, or in an existing one', () => {
      const secret = skeleton('templates/secret.yaml');
      expect(Object.keys(secret.stringData)).toEqual(['redis-url', 'metrics-key']);
      const env = (container.env as Array<{ name: string; valueFrom?: { secretKeyRef?: unknown } }>).find((e) => e.name === 'REDIS_URL');
      expect(env?.valueFrom?.secretKeyRef).toBeDefined();
    });
  });
});
