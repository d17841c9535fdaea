resource "aws_sfn_state_machine" "express_counter" {
  name     = "express-counter"
  role_arn = aws_iam_role.sfn.arn
  type     = "EXPRESS"

  definition = jsonencode({
    Comment = "Counts page views"
    StartAt = "Count"
    States = {
      Count = {
        Type     = "Task"
        Resource = "arn:aws:states:::dynamodb:updateItem"
        Parameters = {
          TableName        = aws_dynamodb_table.views.name
          Key              = { page = { "S.$" = "$.page" } }
          UpdateExpression = "ADD #views :one"
          ExpressionAttributeNames  = { "#views" = "views" }
          ExpressionAttributeValues = { ":one" = { N = "1" } }
        }
        End = true
      }
    }
  })
}

resource "aws_sfn_state_machine" "standard_report" {
  name     = "standard-report"
  role_arn = aws_iam_role.sfn.arn

  definition = <<-EOF
    {
      "StartAt": "Wait For Settlement",
      "States": {
        "Wait For Settlement": { "Type": "Wait", "Seconds": 86400, "Next": "Report" },
        "Report": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": { "FunctionName": "${aws_lambda_function.report.arn}" }, "Next": "Missing" }
      }
    }
  EOF
}

resource "aws_sfn_state_machine" "express_shipping" {
  name       = "express-shipping"
  role_arn   = aws_iam_role.sfn.arn
  type       = "EXPRESS"
  definition = templatefile("${path.module}/shipping.asl.json", { queue_url = aws_sqs_queue.shipping.url })
}
