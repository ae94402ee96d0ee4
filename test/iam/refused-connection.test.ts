import { IamRetryStrategy, isRefusedByThisMachine } from '../../src/iam/client';

// A connection refused by this machine means nothing listens there (a stopped emulator): retrying for ~10 s cannot
// help. A refusal by another host, and every other transient network error, is still retried.
const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:4566`), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address, port: 4566 });

describe('connection refused', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.7', false],
    ['2001:db8::1', false],
  ])('by %s counts as "this machine": %s', (address, local) => {
    expect(isRefusedByThisMachine(refused(address))).toBe(local);
    // The SDK may wrap the socket error: the cause chain is followed.
    expect(isRefusedByThisMachine(Object.assign(new Error('wrapper'), { cause: refused(address) }))).toBe(local);
  });

  it('a reset connection on 127.0.0.1 is not a refusal', () => {
    expect(isRefusedByThisMachine(Object.assign(new Error('reset'), { code: 'ECONNRESET', address: '127.0.0.1' }))).toBe(false);
  });

  it('the retry strategy gives up at once on a local refusal, and retries a remote one', async () => {
    const strategy = new IamRetryStrategy(6, () => 0);
    const token = await strategy.acquireInitialRetryToken('iam');
    await expect(strategy.refreshRetryTokenForRetry(token, { error: refused('127.0.0.1') as never, errorType: 'TRANSIENT' })).rejects.toThrow(
      /not retried/,
    );
    const next = await strategy.refreshRetryTokenForRetry(token, { error: refused('10.0.0.7') as never, errorType: 'TRANSIENT' });
    expect(next.getRetryCount()).toBe(1);
  });
});
