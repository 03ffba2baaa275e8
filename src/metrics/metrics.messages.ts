export const MetricsMessages = {
  KEY_REQUIRED: 'The metrics endpoint needs "Authorization: Bearer <metrics key>"',
  KEY_INVALID: 'The metrics key is not valid',
} as const;
