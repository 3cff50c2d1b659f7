# Each queue gets its own mocked ARN and URL, so wiring the redrive or an output to the
# wrong queue fails; the literals below are the mocks.
mock_provider "aws" {}

override_resource {
  target = aws_sqs_queue.reports
  values = { arn = "arn:aws:sqs:eu-west-3:210987654321:mock-reports", url = "https://sqs.eu-west-3.amazonaws.com/210987654321/mock-reports" }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = { arn = "arn:aws:sqs:eu-west-3:210987654321:mock-dlq", url = "https://sqs.eu-west-3.amazonaws.com/210987654321/mock-dlq" }
}

variables {
  queue_name = "v9-reports"
  dlq_name   = "v9-reports-dlq"
}

run "reports_redrive_to_an_encrypted_dlq" {
  command = apply

  assert {
    condition     = jsondecode(aws_sqs_queue.reports.redrive_policy).deadLetterTargetArn == "arn:aws:sqs:eu-west-3:210987654321:mock-dlq" && jsondecode(aws_sqs_queue.reports.redrive_policy).maxReceiveCount == 5
    error_message = "The reports queue must redrive to the DLQ after 5 receives."
  }
  assert {
    condition     = aws_sqs_queue.reports.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "Both queues must be encrypted."
  }
  assert {
    condition     = aws_sqs_queue.reports.visibility_timeout_seconds == 60 && aws_sqs_queue.dlq.message_retention_seconds >= aws_sqs_queue.reports.message_retention_seconds
    error_message = "Visibility must match the drainer and dead letters must outlive live ones."
  }
  assert {
    condition     = output.queue_arn == "arn:aws:sqs:eu-west-3:210987654321:mock-reports" && output.queue_url == "https://sqs.eu-west-3.amazonaws.com/210987654321/mock-reports" && output.queue_name == "v9-reports"
    error_message = "The queue outputs must be the reports queue's."
  }
  assert {
    condition     = output.dlq_arn == "arn:aws:sqs:eu-west-3:210987654321:mock-dlq" && output.dlq_url == "https://sqs.eu-west-3.amazonaws.com/210987654321/mock-dlq" && output.dlq_name == "v9-reports-dlq"
    error_message = "The DLQ outputs must be the DLQ's."
  }
}

run "customer_key_encrypts_both_queues" {
  command = plan
  variables {
    kms_master_key_id = "alias/snakebatch"
  }
  assert {
    condition     = aws_sqs_queue.reports.kms_master_key_id == "alias/snakebatch" && aws_sqs_queue.dlq.kms_master_key_id == "alias/snakebatch"
    error_message = "A customer KMS key must encrypt both queues."
  }
}

run "rejects_dlq_retention_shorter_than_queue" {
  command = plan
  variables {
    message_retention_seconds     = 86400
    dlq_message_retention_seconds = 3600
  }
  expect_failures = [var.dlq_message_retention_seconds]
}

run "rejects_fifo_style_name" {
  command = plan
  variables {
    queue_name = "v9-reports.fifo"
  }
  expect_failures = [var.queue_name]
}

run "rejects_zero_receives" {
  command = plan
  variables {
    max_receive_count = 0
  }
  expect_failures = [var.max_receive_count]
}
