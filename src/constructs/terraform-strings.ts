/**
 * The text a string of the synthesized configuration stands for. Terraform reads every string of `cdk.tf.json` as
 * a template: `${…}` is an interpolation and `%{…}` a directive, written literally as `$${…}` and `%%{…}`. An
 * `aws_iam_policy_document` data source has one more escape of its own: `&{…}` in its arguments becomes `${…}`
 * (an IAM policy variable) in the JSON it renders. A JSON policy string (`IamPolicy.policy`) has no such escape:
 * there `&{aws:userid}` is literal text, so it is never written there as if it were one.
 */

/** The literal value of a configuration string; undefined when it interpolates or directs (Terraform computes it). */
export function terraformLiteral(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
      out += `${c}{`;
      i += 2;
    } else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** The value an `aws_iam_policy_document` argument gives its JSON: Terraform's escapes, then `&{…}` → `${…}`. */
export function policyDocumentArgumentValue(text: string): string | undefined {
  return terraformLiteral(text)?.replace(/&\{/g, '${');
}

/** Text written into the configuration so that Terraform passes it on unchanged (`${` → `$${`, `%{` → `%%{`). */
export function escapeForTerraform(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}
