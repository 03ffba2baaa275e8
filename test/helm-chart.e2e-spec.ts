import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { loadConfig } from '../src/config';
import { ENV_OVERRIDES } from '../src/config/config.constants';
import { CONFIG_DEFAULTS } from '../src/config/config.defaults';
import { HealthPath } from '../src/health';
import { MetricName, METRICS_PATH } from '../src/metrics';
import { readDockerfile } from './helpers/dockerfile';
import { filesUnder, hasPath, helm, HelmResult, Manifest, only, parseManifests, valuePaths } from './helpers/helm-chart';

const ROOT = resolve(__dirname, '..');
const CHART = resolve(ROOT, 'helm', 'mcp-platform');
const read = (path: string) => readFileSync(join(CHART, path), 'utf8');
const RELEASE = 'mcp';
const NAMESPACE = 'mcp-prod';
const FULLNAME = `${RELEASE}-mcp-platform`;
/** The values files of the matrix (chart-testing's place for them): each must lint and render. */
const CASES = readdirSync(join(CHART, 'ci'))
  .filter((file) => file.endsWith('-values.yaml'))
  .map((file) => file.replace(/-values\.yaml$/, ''));
/** Credentials, without which the chart refuses to render (see the refusals below). */
const ANONYMOUS = ['--set', 'auth.allowAnonymous=true'];

type Values = Manifest;
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

const template = (args: string[]) => helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]);
const valuesFile = (name: string) => ['--values', join(CHART, 'ci', `${name}-values.yaml`)];
const container = (manifests: Manifest[]) => only(manifests, 'Deployment').spec.template.spec.containers[0];
const envOf = (manifests: Manifest[]) => container(manifests).env as EnvVar[];
const env = (manifests: Manifest[], name: string) => envOf(manifests).find((entry) => entry.name === name);

/**
 * The Helm chart, checked with the real helm (v4, from a devDependency): `helm lint --strict`
 * and `helm template` over the values files in helm/mcp-platform/ci/, assertions on the rendered
 * manifests, the values it refuses, and its README's parameter table.
 */
describe('the Helm chart (helm/mcp-platform)', () => {
  const values = parse(read('values.yaml')) as Values;
  const schema = JSON.parse(read('values.schema.json')) as Record<string, unknown>;
  const lints = new Map<string, HelmResult>();
  const rendered = new Map<string, Manifest[]>();
  const manifests = (name: string): Manifest[] => {
    const found = rendered.get(name);
    if (!found) throw new Error(`${name} did not render: ${lints.get(name)?.stdout ?? ''}`);
    return found;
  };

  beforeAll(async () => {
    await Promise.all(
      CASES.map(async (name) => {
        const [lint, render] = await Promise.all([helm(['lint', '--strict', CHART, ...valuesFile(name)]), template(valuesFile(name))]);
        lints.set(name, lint);
        if (render.code === 0) rendered.set(name, parseManifests(render.stdout));
        else lints.set(name, { ...lint, stdout: `${lint.stdout}\n${render.stderr}` });
      }),
    );
  }, 60_000);

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

  describe('values', () => {
    it('has a self-contained draft-07 schema (no remote $ref) that the defaults satisfy', () => {
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]*)"/g)].map((match) => match[1]);
      expect(refs.filter((ref) => !ref.startsWith('#'))).toEqual([]);
      const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
      expect(validate(values) ? [] : validate.errors).toEqual([]);
    });

    it('uses in the templates only values that values.yaml declares', () => {
      const templates = filesUnder(join(CHART, 'templates'));
      const missing = templates.flatMap((file) => valuePaths(read(join('templates', file))).filter((path) => !hasPath(values, path)));
      expect(missing).toEqual([]);
    });

    it('keeps preStop sleep plus the app drain inside terminationGracePeriodSeconds', () => {
      expect(values.shutdown.preStopSleepSeconds + values.shutdown.graceSeconds).toBeLessThan(values.terminationGracePeriodSeconds);
      expect(values.shutdown.graceSeconds).toBe(CONFIG_DEFAULTS.shutdown.graceSeconds);
    });
  });

  describe.each(CASES)('ci/%s-values.yaml', (name) => {
    it('passes helm lint --strict', () => {
      const lint = lints.get(name);
      expect(lint?.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(lint?.code).toBe(0);
    });

    it('renders Kubernetes objects with names of 63 characters at most and the chart labels', () => {
      for (const manifest of manifests(name)) {
        expect(manifest).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
        expect(manifest.metadata.name.length).toBeLessThanOrEqual(63);
        expect(manifest.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'mcp-platform', 'app.kubernetes.io/instance': RELEASE });
      }
    });

    it('keeps secrets out of ConfigMaps and plain environment values', () => {
      const secretVariables = ['REDIS_URL', 'MCP_METRICS_KEY', 'MCP_STATE_KEYS'];
      for (const entry of envOf(manifests(name)).filter((e) => secretVariables.includes(e.name))) {
        expect(entry.value).toBeUndefined();
        expect(entry.valueFrom?.secretKeyRef).toEqual({ name: expect.any(String), key: expect.any(String) });
      }
      const configMaps = manifests(name).filter((manifest) => manifest.kind === 'ConfigMap');
      expect(configMaps.map((configMap) => Object.keys(configMap.data))).toEqual(configMaps.map(() => ['mcp-platform.json']));
    });

    it('sets only environment variables the app reads', () => {
      const known = new Set<string>([...Object.values(ENV_OVERRIDES), 'MCP_CONFIG', 'MCP_STATE_KEYS']);
      expect(envOf(manifests(name)).filter((entry) => !known.has(entry.name))).toEqual([]);
    });
  });

  describe('the defaults (ci/default-values.yaml: an API key only)', () => {
    const kinds = () => manifests('default').map((manifest) => manifest.kind);

    it('renders a Deployment, Service, ServiceAccount, PodDisruptionBudget, the Secret and the helm test pod, nothing optional', () => {
      expect(kinds().sort()).toEqual(['Deployment', 'Pod', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount']);
    });

    it('mounts the MCP_CONFIG file from the chart Secret, read-only', () => {
      const secret = only(manifests('default'), 'Secret', FULLNAME);
      expect(Object.keys(secret.stringData)).toEqual(['config.yaml']);
      expect(parse(secret.stringData['config.yaml'])).toEqual(parse(read('ci/default-values.yaml')).config);
      expect(env(manifests('default'), 'MCP_CONFIG')).toEqual({ name: 'MCP_CONFIG', value: '/etc/mcp-platform/config.yaml' });
      expect(container(manifests('default')).volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/mcp-platform', readOnly: true });
      const volume = only(manifests('default'), 'Deployment').spec.template.spec.volumes.find((v: Manifest) => v.name === 'config');
      expect(volume.secret).toMatchObject({ secretName: FULLNAME, items: [{ key: 'config.yaml', path: 'config.yaml' }] });
    });

    it('probes the app: startup and liveness on /health/live, readiness on /health/ready, by the named port', () => {
      const app = container(manifests('default'));
      expect(app.ports).toEqual([{ name: 'http', containerPort: CONFIG_DEFAULTS.http.port, protocol: 'TCP' }]);
      expect(app.startupProbe.httpGet).toEqual({ path: HealthPath.LIVE, port: 'http' });
      expect(app.livenessProbe.httpGet).toEqual({ path: HealthPath.LIVE, port: 'http' });
      expect(app.readinessProbe.httpGet).toEqual({ path: HealthPath.READY, port: 'http' });
      expect(app.startupProbe.periodSeconds * app.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30);
    });

    it('listens where the app and the image do', () => {
      expect(env(manifests('default'), 'PORT')?.value).toBe(String(CONFIG_DEFAULTS.http.port));
      const stages = readDockerfile(resolve(ROOT, 'Dockerfile'));
      const expose = stages[stages.length - 1].find((instruction) => instruction.keyword === 'EXPOSE');
      expect(Number(expose?.args)).toBe(CONFIG_DEFAULTS.http.port);
    });

    it('gives the app the in-cluster host names in MCP_ALLOWED_HOSTS', () => {
      const hosts = env(manifests('default'), 'MCP_ALLOWED_HOSTS')?.value?.split(',');
      expect(hosts).toEqual(expect.arrayContaining(['localhost', FULLNAME, `${FULLNAME}.${NAMESPACE}.svc`, `${FULLNAME}.${NAMESPACE}.svc.cluster.local`]));
    });

    it('drains like the app: a preStop sleep, then the app grace period, within terminationGracePeriodSeconds', () => {
      const pod = only(manifests('default'), 'Deployment').spec.template.spec;
      expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
      expect(env(manifests('default'), 'MCP_SHUTDOWN_GRACE_SECONDS')?.value).toBe('20');
      expect(pod.terminationGracePeriodSeconds).toBe(30);
    });

    it('requests the measured memory and CPU, with a memory limit and no CPU limit', () => {
      expect(container(manifests('default')).resources).toEqual({ requests: { cpu: '250m', memory: '384Mi' }, limits: { memory: '768Mi' } });
    });

    it('spreads replicas over zones, then nodes, without blocking scheduling', () => {
      const constraints = only(manifests('default'), 'Deployment').spec.template.spec.topologySpreadConstraints;
      const selector = { matchLabels: { 'app.kubernetes.io/name': 'mcp-platform', 'app.kubernetes.io/instance': RELEASE } };
      expect(constraints).toEqual([
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector },
      ]);
    });

    it('runs non-root with a read-only root filesystem, no capabilities, seccomp RuntimeDefault and a writable in-memory /tmp', () => {
      const pod = only(manifests('default'), 'Deployment').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    });

    it('runs one replica with in-memory sessions', () => {
      expect(only(manifests('default'), 'Deployment').spec.replicas).toBe(1);
      expect(env(manifests('default'), 'REDIS_URL')).toBeUndefined();
      expect(env(manifests('default'), 'MCP_SESSION_MODE')?.value).toBe('stateful');
    });
  });

  describe('Redis', () => {
    it('passes a Redis URL and the state keys from the chart Secret to three replicas', () => {
      const rendered = manifests('redis-url');
      expect(only(rendered, 'Deployment').spec.replicas).toBe(3);
      const secret = only(rendered, 'Secret', FULLNAME);
      expect(secret.stringData).toMatchObject({
        'redis-url': 'rediss://:ci-password@redis.example.com:6380/0',
        'state-keys': 'ci-state-key-new-0123456789,ci-state-key-old-0123456789',
      });
      expect(env(rendered, 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: FULLNAME, key: 'redis-url' });
      expect(env(rendered, 'MCP_STATE_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: FULLNAME, key: 'state-keys' });
      expect(env(rendered, 'REDIS_KEY_PREFIX')?.value).toBe('mcp-ci:');
      expect(only(rendered, 'Deployment').spec.template.metadata.annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    });

    it('passes Sentinel nodes and the master name, autoscaled by an HPA instead of a replica count', () => {
      const rendered = manifests('sentinel');
      expect(env(rendered, 'REDIS_MODE')?.value).toBe('sentinel');
      expect(env(rendered, 'REDIS_SENTINELS')?.value).toBe('sentinel-0.sentinel:26379,sentinel-1.sentinel:26379,sentinel-2.sentinel:26379');
      expect(env(rendered, 'REDIS_SENTINEL_NAME')?.value).toBe('mcp-master');
      expect(only(rendered, 'Deployment').spec.replicas).toBeUndefined();
      const hpa = only(rendered, 'HorizontalPodAutoscaler');
      expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: FULLNAME }, minReplicas: 2, maxReplicas: 6 });
      expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    });

    it('passes Cluster seed nodes without a URL', () => {
      const rendered = manifests('cluster');
      expect(env(rendered, 'REDIS_MODE')?.value).toBe('cluster');
      expect(env(rendered, 'REDIS_CLUSTER_NODES')?.value).toBe(
        'redis-cluster-0.redis-cluster:6379,redis-cluster-1.redis-cluster:6379,redis-cluster-2.redis-cluster:6379',
      );
      expect(env(rendered, 'REDIS_URL')).toBeUndefined();
      expect(only(rendered, 'Deployment').spec.replicas).toBe(3);
    });
  });

  it('runs stateless behind an authenticating gateway, autoscaled on CPU and requests in flight, with no Secret', () => {
    const rendered = manifests('stateless');
    expect(env(rendered, 'MCP_SESSION_MODE')?.value).toBe('stateless');
    expect(env(rendered, 'MCP_ALLOW_ANONYMOUS')?.value).toBe('true');
    expect(rendered.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    const hpa = only(rendered, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({ type: 'Pods', pods: expect.objectContaining({ metric: { name: 'mcp_active_requests' } }) }),
    );
    expect(hpa.spec.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 300 } });
  });

  it('keeps an OAuth config, token-exchange client secret included, in its Secret, as a file the app loads (ci/oauth-values.yaml)', () => {
    const rendered = manifests('oauth');
    const file = only(rendered, 'Secret', FULLNAME).stringData['config.yaml'] as string;
    expect(parse(file)).toEqual(parse(read('ci/oauth-values.yaml')).config);
    expect(JSON.stringify(rendered.filter((manifest) => manifest.kind !== 'Secret'))).not.toContain('change-me');
    const dir = mkdtempSync(join(tmpdir(), 'helm-oauth-'));
    try {
      writeFileSync(join(dir, 'config.yaml'), file);
      const config = loadConfig({ env: { MCP_CONFIG: join(dir, 'config.yaml') }, configDir: dir });
      expect(config.auth.jwt).toMatchObject({ resource: 'https://mcp.example.com/mcp', tokenExchange: { clientId: 'mcp-platform' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes every secret from existing Secrets and renders none of its own', () => {
    const rendered = manifests('existing-secrets');
    expect(rendered.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    expect(env(rendered, 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'mcp-redis', key: 'url' });
    expect(env(rendered, 'MCP_METRICS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'mcp-metrics', key: 'bearer' });
    expect(env(rendered, 'MCP_STATE_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'mcp-state', key: 'keys' });
    const volume = only(rendered, 'Deployment').spec.template.spec.volumes.find((v: Manifest) => v.name === 'config');
    expect(volume.secret).toMatchObject({ secretName: 'mcp-config', items: [{ key: 'mcp.yaml', path: 'config.yaml' }] });
    const monitor = only(rendered, 'ServiceMonitor');
    expect(monitor.metadata.namespace).toBe(NAMESPACE);
    expect(monitor.spec.endpoints[0].authorization).toEqual({ type: 'Bearer', credentials: { name: 'mcp-metrics', key: 'bearer' } });
  });

  describe('the Ingress', () => {
    const ingress = () => only(manifests('ingress'), 'Ingress');

    it('routes only the MCP paths, never /metrics, to the named port of every host', () => {
      for (const rule of ingress().spec.rules) {
        const paths = rule.http.paths as Manifest[];
        expect(paths.map((path) => path.path)).toEqual(['/mcp', '/tenants', '/sse', '/messages', '/tools', '/.well-known/oauth-protected-resource']);
        expect(paths.map((path) => path.path)).not.toContain(METRICS_PATH);
        for (const path of paths) expect(path).toMatchObject({ pathType: 'Prefix', backend: { service: { name: FULLNAME, port: { name: 'http' } } } });
      }
      expect(ingress().spec.rules.map((rule: Manifest) => rule.host)).toEqual(['mcp.example.com', 'mcp.example.org']);
    });

    it('adds its hosts to MCP_ALLOWED_HOSTS and proxies SSE without buffering and with long timeouts', () => {
      expect(env(manifests('ingress'), 'MCP_ALLOWED_HOSTS')?.value?.split(',')).toEqual(expect.arrayContaining(['mcp.example.com', 'mcp.example.org']));
      expect(ingress().metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-body-size': '2m',
      });
      expect(ingress().spec).toMatchObject({ ingressClassName: 'nginx', tls: [{ secretName: 'mcp-tls' }] });
    });

    it('renders numbers given for strings (image tag, env value, annotation) as strings', () => {
      const rendered = manifests('ingress');
      expect(container(rendered).image).toBe('ghcr.io/example/mcp-platform:2');
      expect(env(rendered, 'MCP_TOOL_TIMEOUT_MS')).toEqual({ name: 'MCP_TOOL_TIMEOUT_MS', value: '15000' });
      expect(only(rendered, 'Deployment').spec.template.metadata.annotations['example.com/scrape-port']).toBe('3000');
    });
  });

  describe('monitoring (ci/monitoring-values.yaml)', () => {
    const known = new Set<string>(Object.values(MetricName));
    /** Series names in a PromQL expression that look like metrics (not functions, labels or keywords). */
    const seriesIn = (expr: string) =>
      [...expr.matchAll(/\b([a-z_]+(?:_total|_seconds(?:_bucket|_count|_sum)?|_active|_requests|_info|_draining|_bytes|_ready))\b/g)].map(
        (match) => match[1],
      );
    const isKnown = (series: string) =>
      known.has(series.replace(/_(bucket|count|sum)$/, '')) || /^(process|nodejs)_/.test(series) || series === 'kube_pod_status_ready';

    it('scrapes /metrics from a ServiceMonitor in another namespace with the key copied into a Secret there', () => {
      const rendered = manifests('monitoring');
      const monitor = only(rendered, 'ServiceMonitor');
      expect(monitor.metadata).toMatchObject({ namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
      expect(monitor.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
      expect(monitor.spec.selector.matchLabels).toEqual(only(rendered, 'Service').spec.selector);
      const endpoint = monitor.spec.endpoints[0];
      expect(endpoint).toMatchObject({ port: 'http', path: METRICS_PATH, authorization: { type: 'Bearer' } });
      const copy = only(rendered, 'Secret', endpoint.authorization.credentials.name);
      expect(copy.metadata.namespace).toBe('monitoring');
      expect(copy.stringData[endpoint.authorization.credentials.key]).toBe('ci-metrics-key-0123456789');
      expect(only(rendered, 'Secret', FULLNAME).metadata.namespace).toBe(NAMESPACE);
      expect(env(rendered, 'MCP_METRICS_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: FULLNAME, key: 'metrics-key' });
    });

    it('alerts on error ratio, p99 latency, readiness flapping, session store errors and rate-limit refusals, each with its runbook entry', () => {
      const rule = only(manifests('monitoring'), 'PrometheusRule');
      expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
      const alerts = rule.spec.groups.flatMap((group: Manifest) => group.rules) as Manifest[];
      expect(alerts.map((alert) => alert.alert)).toEqual([
        'McpPlatformErrorRatioHigh',
        'McpPlatformLatencyP99High',
        'McpPlatformReadinessFlapping',
        'McpPlatformSessionStoreErrors',
        'McpPlatformRateLimited',
      ]);
      const runbook = readFileSync(resolve(ROOT, 'docs', 'runbook.md'), 'utf8');
      for (const alert of alerts) {
        expect(seriesIn(alert.expr).filter((series) => !isKnown(series))).toEqual([]);
        expect(alert.expr).toContain(`namespace="${NAMESPACE}"`);
        expect(alert.labels.severity).toMatch(/^(critical|warning|info)$/);
        expect(alert.annotations.runbook_url).toBe(`https://github.com/example/mcp-platform/blob/main/docs/runbook.md#${alert.alert.toLowerCase()}`);
        expect(runbook).toContain(`### ${alert.alert}`);
      }
    });

    it('ships the Grafana dashboard in a ConfigMap labelled for the Grafana sidecar, querying only metrics that exist', () => {
      const configMap = only(manifests('monitoring'), 'ConfigMap');
      expect(configMap.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'MCP' } });
      const dashboard = JSON.parse(configMap.data['mcp-platform.json']) as { uid: string; panels: Manifest[] };
      expect(dashboard.uid).toBe('mcp-platform');
      const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target: Manifest) => target.expr as string));
      expect(exprs.length).toBeGreaterThan(15);
      expect(exprs.flatMap(seriesIn).filter((series) => !isKnown(series))).toEqual([]);
    });

    it('creates nothing of this without the flags', () => {
      const kinds = manifests('default').map((manifest) => manifest.kind);
      expect(kinds).not.toEqual(expect.arrayContaining(['ServiceMonitor']));
      expect(kinds).not.toContain('PrometheusRule');
      expect(kinds).not.toContain('ConfigMap');
    });
  });

  describe('refused values', () => {
    const refusal = async (args: string[]) => {
      const result = await template(args);
      expect(result.code).not.toBe(0);
      return result.stderr;
    };

    it('refuses to render without credentials unless auth.allowAnonymous', async () => {
      expect(await refusal([])).toMatch(/Authentication is required: give API keys \(config\.auth\.apiKeys/);
      expect((await template(ANONYMOUS)).code).toBe(0);
      expect((await template(['--set', 'existingConfigSecret=mcp-config'])).code).toBe(0);
    });

    it('refuses more than one replica with in-memory sessions, naming the values to set', async () => {
      expect(await refusal([...ANONYMOUS, '--set', 'replicaCount=3'])).toMatch(
        /replicaCount=3 needs a shared session store: set redis\.url .* or app\.sessionMode=stateless/,
      );
    });

    it('refuses the HPA with in-memory sessions', async () => {
      expect(await refusal([...ANONYMOUS, '--set', 'autoscaling.enabled=true'])).toMatch(
        /autoscaling\.enabled=true \(up to 10 replicas\) needs a shared session store/,
      );
    });

    it('refuses unknown keys (typos)', async () => {
      expect(await refusal([...ANONYMOUS, '--set', 'replicaCout=2'])).toMatch(/additional properties 'replicaCout' not allowed/);
      expect(await refusal([...ANONYMOUS, '--set', 'redis.uri=redis://redis:6379'])).toMatch(/additional properties 'uri' not allowed/);
    });

    it('refuses an Ingress that would publish /metrics', async () => {
      const ingress = [...ANONYMOUS, '--set', 'ingress.enabled=true'];
      expect(await refusal([...ingress, '--set', 'ingress.paths={/}'])).toMatch(/ingress\.paths: "\/" would publish \/metrics/);
      expect(await refusal([...ingress, '--set', 'ingress.paths={/mcp,/metrics}'])).toMatch(/ingress\.paths: "\/metrics" would publish \/metrics/);
    });

    it('refuses values the app would refuse, and config next to existingConfigSecret', async () => {
      expect(await refusal([...ANONYMOUS, '--set', 'app.sessionMode=sometimes'])).toMatch(/sessionMode/);
      expect(await refusal([...ANONYMOUS, '--set', 'redis.url=http://redis:6379'])).toMatch(/redis\/url/);
      expect(await refusal([...ANONYMOUS, '--set', 'metrics.key=short'])).toMatch(/metrics\/key/);
      expect(await refusal([...valuesFile('default'), '--set', 'existingConfigSecret=mcp-config'])).toMatch(
        /Set config or existingConfigSecret, not both/,
      );
    });

    it('refuses a drain longer than the grace period', async () => {
      expect(await refusal([...ANONYMOUS, '--set', 'shutdown.graceSeconds=40'])).toMatch(/must stay below terminationGracePeriodSeconds/);
    });
  });

  describe('accepted values', () => {
    const renders = async (args: string[]) => {
      const result = await template([...ANONYMOUS, ...args]);
      expect(result.stderr).toBe('');
      return parseManifests(result.stdout);
    };

    it('takes a numeric image tag (--set image.tag=2) and renders it quoted', async () => {
      expect(container(await renders(['--set', 'image.tag=2'])).image).toBe('ghcr.io/example/mcp-platform:2');
      const text = (await template([...ANONYMOUS, '--set', 'image.tag=2', '--show-only', 'templates/deployment.yaml'])).stdout;
      expect(text).toContain('image: "ghcr.io/example/mcp-platform:2"');
    });

    it('takes a digest instead of a tag, and the appVersion when neither is set', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      expect(container(await renders(['--set', `image.digest=${digest}`])).image).toBe(`ghcr.io/example/mcp-platform@${digest}`);
      expect(container(await renders([])).image).toBe(`ghcr.io/example/mcp-platform:${String(parse(read('Chart.yaml')).appVersion)}`);
    });

    it('takes numbers for annotations, labels and env values and renders them as strings', async () => {
      const rendered = await renders([
        '--set',
        'podLabels.team=42',
        '--set',
        'service.annotations.port=8080',
        '--set',
        'extraEnv[0].name=MCP_MAX_BATCH_SIZE,extraEnv[0].value=50',
      ]);
      expect(only(rendered, 'Deployment').spec.template.metadata.labels.team).toBe('42');
      expect(only(rendered, 'Service').metadata.annotations.port).toBe('8080');
      expect(env(rendered, 'MCP_MAX_BATCH_SIZE')?.value).toBe('50');
    });

    it('turns the topology spread off with an empty list, and keeps a labelSelector given with a constraint', async () => {
      expect(
        only(await renders(['--set-json', 'topologySpreadConstraints=[]']), 'Deployment').spec.template.spec.topologySpreadConstraints,
      ).toBeUndefined();
      const own = { maxSkew: 2, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { a: 'b' } } };
      const spread = only(await renders(['--set-json', `topologySpreadConstraints=[${JSON.stringify(own)}]`]), 'Deployment').spec.template.spec
        .topologySpreadConstraints;
      expect(spread).toEqual([own]);
    });
  });

  it('has a README whose parameter table is what npm run helm:readme writes from values.yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-readme-'));
    try {
      const copy = join(dir, 'README.md');
      copyFileSync(join(CHART, 'README.md'), copy);
      const generator = resolve(ROOT, 'node_modules', '@bitnami', 'readme-generator-for-helm', 'bin', 'index.js');
      await promisify(execFile)(process.execPath, [generator, '--values', join(CHART, 'values.yaml'), '--readme', copy]);
      expect(readFileSync(copy, 'utf8')).toBe(read('README.md'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
