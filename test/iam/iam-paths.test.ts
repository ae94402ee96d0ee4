import { parsePrincipalArn } from '../../src/model/constraints';
import { foreignEntity } from '../../src/iam/report-pages';

// IAM's pathType is `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`: the part between the outer slashes may hold slashes.
describe('IAM paths as IAM documents them', () => {
  it.each(['/', '/a/', '/a/b/', '/a//b/', '///', '/a~!/'])('accepts the path %s', (path) => {
    const parsed = parsePrincipalArn(`arn:aws:iam::123456789012:user${path}alice`);
    expect(parsed).toMatchObject({ kind: 'user', name: 'alice', path });
  });

  it.each(['//', '/a b/', '/é/'])('refuses the path %s (IAM would not accept it)', (path) => {
    expect(parsePrincipalArn(`arn:aws:iam::123456789012:user${path}alice`)).toHaveProperty('error');
  });

  it("a group report naming a member user with an empty path segment is the group's, not a foreign job", () => {
    const request = { kind: 'service-last-accessed', arn: 'arn:aws:iam::123456789012:group/devs', granularity: 'SERVICE_LEVEL', withEntities: false } as const;
    expect(foreignEntity(request, ['arn:aws:iam::123456789012:user/a//b/alice'])).toBeUndefined();
    // A name that is no user or role ARN still proves nothing good: it is refused, not dropped.
    expect(foreignEntity(request, ['arn:aws:iam::123456789012:user//alice'])).toMatch(/not a user or role ARN/);
  });
});
