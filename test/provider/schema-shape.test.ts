import { conformBlock, listOf, objectOf, type BlockSpec } from '../../src/provider/schema';

// Terraform wants every attribute of a value, null when absent, at every depth the schema describes.
const BLOCK: BlockSpec = {
  attributes: [
    { name: 'arn', type: 'string', description: '' },
    { name: 'count', type: 'number', description: '' },
    { name: 'tags', type: ['map', 'string'], description: '' },
    {
      name: 'services',
      type: listOf(objectOf({ namespace: 'string', used: 'bool', actions: listOf(objectOf({ name: 'string', last: 'string' })) })),
      description: '',
    },
  ],
  blocks: [{ name: 'assume_role', block: { attributes: [{ name: 'role_arn', type: 'string', description: '' }] } }],
};

describe('conformBlock', () => {
  it('gives every attribute of the schema, absent ones null, and drops what the schema does not name', () => {
    const shaped = conformBlock(BLOCK, {
      arn: 'a',
      extra: 'dropped',
      tags: { team: 'x' },
      services: [{ namespace: 's3', actions: [{ name: 'GetObject' }, { name: 'PutObject', last: '2026-01-01T00:00:00Z', other: 1 }] }, { used: false }],
      assume_role: { role_arn: 'r', session: 'dropped' },
    });
    expect(shaped).toEqual({
      arn: 'a',
      count: null,
      tags: { team: 'x' },
      services: [
        { namespace: 's3', used: null, actions: [{ name: 'GetObject', last: null }, { name: 'PutObject', last: '2026-01-01T00:00:00Z' }] },
        { namespace: null, used: false, actions: null },
      ],
      assume_role: { role_arn: 'r' },
    });
    expect(conformBlock(BLOCK, {})).toEqual({ arn: null, count: null, tags: null, services: null, assume_role: null });
  });
});
