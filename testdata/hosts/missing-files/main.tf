resource "aws_sfn_state_machine" "module_relative" {
  name       = "module-relative"
  role_arn   = aws_iam_role.sfn.arn
  definition = file("${path.module}/module.asl.json")
}

# Relative to the folder Terraform runs in, which may be another module's: not reported.
resource "aws_sfn_state_machine" "run_relative" {
  name       = "run-relative"
  role_arn   = aws_iam_role.sfn.arn
  definition = file("definitions/run.asl.json")
}
