import { generateApiKey } from './auth/api-key.generator';

/** `npm run keygen [id] [tenant]`: prints a new API key and the config entry for it. */
const [id = 'my-client', tenant] = process.argv.slice(2);
const { key, hash } = generateApiKey();
process.stdout.write(
  [
    `API key (give it to the client; it is not stored anywhere): ${key}`,
    '',
    'Add to auth.apiKeys in your MCP_CONFIG file:',
    `  - id: ${id}`,
    `    hash: "${hash}"`,
    ...(tenant ? [`    tenant: ${tenant}`] : []),
    '    permissions: ["*"]',
    '',
  ].join('\n'),
);
