import { normalizeService } from '../../src/iam/normalize';

describe('normalizeService: tracked actions', () => {
  const used = { ActionName: 'GetObject', LastAccessedEntity: 'arn:aws:iam::123456789012:role/app', LastAccessedTime: new Date('2026-01-02T03:04:00Z'), LastAccessedRegion: 'us-east-1' };
  const service = (actions: object[]) => normalizeService({ ServiceName: 'Amazon S3', ServiceNamespace: 's3', TotalAuthenticatedEntities: 1, TrackedActionsLastAccessed: actions as never });

  it('an unused action is only its name, one frozen object per name shared by every report; a used one is its own', () => {
    const a = service([{ ActionName: 'PutObject' }, used, { ActionName: 'DeleteObject' }]);
    const b = service([{ ActionName: 'PutObject' }, { ActionName: 'DeleteObject' }, { ...used }]);
    expect(a.trackedActionsLastAccessed).toEqual([
      { actionName: 'PutObject' },
      { actionName: 'GetObject', lastAccessedEntity: used.LastAccessedEntity, lastAccessedTime: '2026-01-02T03:04:00.000Z', lastAccessedRegion: 'us-east-1' },
      { actionName: 'DeleteObject' },
    ]);
    expect(a.trackedActionsLastAccessed![0]).toBe(b.trackedActionsLastAccessed![0]);
    expect(a.trackedActionsLastAccessed![2]).toBe(b.trackedActionsLastAccessed![1]);
    expect(Object.isFrozen(a.trackedActionsLastAccessed![0])).toBe(true);
    // Shared, so no report can change another's: a write to it fails (modules are strict).
    expect(() => {
      (a.trackedActionsLastAccessed![0] as { actionName: string }).actionName = 'x';
    }).toThrow(TypeError);
    expect(b.trackedActionsLastAccessed![0]).toEqual({ actionName: 'PutObject' });
    expect(a.trackedActionsLastAccessed![1]).not.toBe(b.trackedActionsLastAccessed![2]);
    expect(Object.isFrozen(a.trackedActionsLastAccessed![1])).toBe(false);
  });

  it('an action with any one of entity, time or region is not the unused one', () => {
    for (const extra of [{ LastAccessedEntity: used.LastAccessedEntity }, { LastAccessedTime: used.LastAccessedTime }, { LastAccessedRegion: 'eu-west-1' }]) {
      const [action] = service([{ ActionName: 'PutObject', ...extra }]).trackedActionsLastAccessed!;
      expect(Object.keys(action!).length).toBe(2);
      expect(Object.isFrozen(action)).toBe(false);
    }
  });
});
