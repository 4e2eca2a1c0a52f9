import { describe, expect, it } from 'vitest';
import { duplicateEnv, missingEnvReading, missingVariable } from '../../src/diagnosis/environment.js';
import type { Container, Pod } from '../../src/kube/reader.js';

const pod = (container: Partial<Container>): Pod =>
  ({ metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [{ name: 'web', ...container }] } }) as Pod;

describe('an environment variable the app says is missing', () => {
  it('reads the Go, Node, Spring and plain wordings', () => {
    expect(missingVariable(['panic: environment variable "CART_ADDR" not set'])).toBe('CART_ADDR');
    expect(missingVariable(['Error: Missing required environment variable: DATABASE_URL'])).toBe('DATABASE_URL');
    expect(
      missingVariable([
        `java.lang.IllegalArgumentException: Could not resolve placeholder 'KAFKA_BROKERS' in value "$\{KAFKA_BROKERS}"`,
      ]),
    ).toBe('KAFKA_BROKERS');
    expect(missingVariable(['fatal: REDIS_HOST environment variable is required'])).toBe('REDIS_HOST');
    expect(missingVariable(['config key "timeout" not set', "KeyError: 'items'"])).toBeNull();
  });

  it('says where the variable stands in the spec: absent, empty, from a key, or only possibly in envFrom', () => {
    const line = ['panic: environment variable "CART_ADDR" not set'];
    expect(missingEnvReading(pod({}), 'web', line)).toContain('defines no env CART_ADDR (and has no envFrom)');
    expect(missingEnvReading(pod({ env: [{ name: 'CART_ADDR', value: '' }] }), 'web', line)).toContain(
      'sets it to an empty value',
    );
    expect(
      missingEnvReading(
        pod({
          env: [{ name: 'CART_ADDR', valueFrom: { configMapKeyRef: { name: 'addrs', key: 'cart', optional: true } } }],
        }),
        'web',
        line,
      ),
    ).toContain('key cart of ConfigMap addrs (optional: left unset when the key is absent)');
    expect(missingEnvReading(pod({ envFrom: [{ configMapRef: { name: 'addrs' } }] }), 'web', line)).toContain(
      'it can only come from its envFrom (ConfigMap addrs)',
    );
  });
});

describe('an environment variable defined twice', () => {
  it('names the definition the kubelet keeps, and never shows a secret-looking value', () => {
    const c = {
      name: 'proxy',
      env: [
        { name: 'FRONTEND_HOST', value: 'frontend' },
        { name: 'PORT', value: '8080' },
        { name: 'FRONTEND_HOST', value: 'localhost' },
        { name: 'API_TOKEN', value: 'old' },
        { name: 'API_TOKEN', value: 's3cr3t' },
      ],
    } as Container;
    const found = duplicateEnv(c);
    expect(found).toEqual([
      'container proxy defines env FRONTEND_HOST 2 times; the kubelet keeps the last ("localhost"), which shadows "frontend"',
      'container proxy defines env API_TOKEN 2 times; the kubelet keeps the last (a literal value), which shadows a literal value',
    ]);
    expect(duplicateEnv({ name: 'x', env: [{ name: 'A', value: '1' }] })).toEqual([]);
  });
});
