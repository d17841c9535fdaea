# Two Express machines that send to a standard queue. The HTTP API starts `orders`
# synchronously, and nothing else names it: it runs at most once. An EventBridge rule
# starts `orders_batch`, whose name begins with the other's, asynchronously: it may run
# twice.

resource "aws_sqs_queue" "shipments" {
  name = "shipments"
}

resource "aws_sfn_state_machine" "orders" {
  name     = "orders"
  role_arn = aws_iam_role.machine.arn
  type     = "EXPRESS"
  definition = jsonencode({
    StartAt = "Ship"
    States = {
      Ship = {
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage"
        Parameters = {
          QueueUrl        = aws_sqs_queue.shipments.url
          "MessageBody.$" = "$"
        }
        End = true
      }
    }
  })
}

resource "aws_sfn_state_machine" "orders_batch" {
  name     = "orders-batch"
  role_arn = aws_iam_role.machine.arn
  type     = "EXPRESS"
  definition = jsonencode({
    StartAt = "Ship"
    States = {
      Ship = {
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage"
        Parameters = {
          QueueUrl        = aws_sqs_queue.shipments.url
          "MessageBody.$" = "$"
        }
        End = true
      }
    }
  })
}

resource "aws_apigatewayv2_integration" "orders" {
  api_id              = aws_apigatewayv2_api.http.id
  integration_type    = "AWS_PROXY"
  integration_subtype = "StepFunctions-StartSyncExecution"
  credentials_arn     = aws_iam_role.api.arn
  request_parameters = {
    StateMachineArn = aws_sfn_state_machine.orders.arn
    Input           = "$request.body"
  }
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule     = aws_cloudwatch_event_rule.nightly.name
  arn      = aws_sfn_state_machine.orders_batch.arn
  role_arn = aws_iam_role.events.arn
}
