import { Metadata } from '@grpc/grpc-js';
import { bearerAuthorized, grpcTlsFiles, warnIfOpen } from './grpc-server';
import { createLogger } from './logger';

const md = (authorization?: string) => {
  const m = new Metadata();
  if (authorization !== undefined) m.set('authorization', authorization);
  return m;
};

describe('shared gRPC server helpers', () => {
  it('bearerAuthorized: any call without a configured token, else exactly `Bearer <token>`', () => {
    expect(bearerAuthorized(md(), undefined)).toBe(true);
    expect(bearerAuthorized(md('Bearer s3cret-token'), 's3cret-token')).toBe(true);
    expect(bearerAuthorized(md('bearer  s3cret-token'), 's3cret-token')).toBe(true);
    expect(bearerAuthorized(md(), 's3cret-token')).toBe(false);
    expect(bearerAuthorized(md('s3cret-token'), 's3cret-token')).toBe(false);
    expect(bearerAuthorized(md('Bearer s3cret-token2'), 's3cret-token')).toBe(false);
    expect(bearerAuthorized(md('Basic czNjcmV0'), 's3cret-token')).toBe(false);
  });

  it('grpcTlsFiles: both files or neither; a client CA needs them', () => {
    expect(grpcTlsFiles({})).toBeUndefined();
    expect(grpcTlsFiles({ tlsCertFile: 'c', tlsKeyFile: 'k' })).toEqual({ certFile: 'c', keyFile: 'k' });
    expect(grpcTlsFiles({ tlsCertFile: 'c', tlsKeyFile: 'k', tlsClientCaFile: 'ca' })).toEqual({
      certFile: 'c',
      keyFile: 'k',
      clientCaFile: 'ca',
    });
    expect(() => grpcTlsFiles({ tlsCertFile: 'c' })).toThrow(/both/);
    expect(() => grpcTlsFiles({ tlsClientCaFile: 'ca' })).toThrow(/CLIENT_CA_FILE needs/);
  });

  it('warnIfOpen names what is missing, and stays quiet with TLS and a token', () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const logger = createLogger({ level: 'info', write: (l: string) => void lines.push(JSON.parse(l)) });
    const base = { api: 'gRPC x API', exposure: 'anyone can x', host: 'h', port: 1 };
    expect(warnIfOpen(logger, { ...base, tls: true, authToken: true })).toBe(false);
    expect(warnIfOpen(logger, { ...base, tls: false, authToken: false })).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('warn');
    expect(lines[0].msg).toMatch(
      /^!!! gRPC x API is OPEN: no TLS \(plaintext\), no auth token \(anyone can x\)/,
    );
    expect(lines[0].msg).toContain('SEQUENT_GRPC_AUTH_TOKEN');
  });
});
