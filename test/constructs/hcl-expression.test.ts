import { hclExpression, hclTemplate } from '../../src/constructs/hcl-expression';

// `synth --hcl` writes this package's values as HCL native expressions that must mean what the JSON synth means:
// JSON strings are templates whose literal text is unescaped, native quoted templates need backslash escapes.
describe('hclExpression', () => {
  it('escapes literal text: quotes, backslashes, newlines, tabs and control characters', () => {
    expect(hclTemplate('say "hi"\\now\n\tdone\u0001')).toBe('"say \\"hi\\"\\\\now\\n\\tdone\\u0001"');
  });

  it('keeps interpolations and directives as they are, with the quotes and braces inside them', () => {
    expect(hclTemplate('${data.aws_iam_role.app.arn}')).toBe('"${data.aws_iam_role.app.arn}"');
    expect(hclTemplate('a "${jsonencode({"k" = "}"})}" b')).toBe('"a \\"${jsonencode({"k" = "}"})}\\" b"');
    expect(hclTemplate('${lookup(m, "x${var.y}")}\n')).toBe('"${lookup(m, "x${var.y}")}\\n"');
    expect(hclTemplate('%{ if true }yes%{ endif }')).toBe('"%{ if true }yes%{ endif }"');
  });

  it('keeps the template escapes $${ and %%{ (a literal ${ in both syntaxes)', () => {
    expect(hclTemplate('arn:aws:s3:::b/$${aws:username}/*')).toBe('"arn:aws:s3:::b/$${aws:username}/*"');
    expect(hclTemplate('100%%{x}')).toBe('"100%%{x}"');
  });

  it('writes lists, objects, numbers, booleans and null', () => {
    expect(hclExpression([{ permission: 'ec2', reason: 'AMI "lookups"' }, null])).toBe('[{"permission" = "ec2", "reason" = "AMI \\"lookups\\""}, null]');
    expect(hclExpression({ a: 1.5, b: true, c: undefined })).toBe('{"a" = 1.5, "b" = true}');
  });

  it('refuses what HCL cannot hold instead of writing something else', () => {
    expect(() => hclExpression(Number.NaN)).toThrow(/not a finite number/);
    expect(() => hclExpression(() => 1)).toThrow(/cannot write a function/);
  });
});
