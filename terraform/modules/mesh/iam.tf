data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account    = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # "??" matches exactly the two-digit shard suffix, so the grant covers this
  # mesh's siblings and no other function sharing the prefix.
  shard_pattern   = "${var.function_prefix}-??"
  failure_service = split(":", var.on_failure_destination_arn)[2]

  # X-Ray's write actions support no resource-level scoping; granted only when tracing.
  trace_statements = var.tracing_mode == "Active" ? [{
    Sid      = "WriteTraces"
    Effect   = "Allow"
    Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    Resource = ["*"]
  }] : []

  policy_statements = concat([
    {
      Sid    = "InvokeSiblingShards"
      Effect = "Allow"
      Action = ["lambda:InvokeFunction"]
      Resource = [
        "${local.arn_prefix}:lambda:${local.region}:${local.account}:function:${local.shard_pattern}",
        "${local.arn_prefix}:lambda:${local.region}:${local.account}:function:${local.shard_pattern}:${var.alias_name}",
      ]
    },
    {
      # A shard reads a job's staged population and stripped model, and a prediction's
      # query batch.
      Sid      = "ReadJobsAndPredictions"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${var.bucket_arn}/${var.jobs_prefix}*", "${var.bucket_arn}/${var.predict_prefix}*"]
    },
    {
      # Without s3:ListBucket S3 answers a missing object with 403 AccessDenied instead
      # of 404, and "not there yet" becomes indistinguishable from "not allowed". The
      # grant has no s3:prefix condition: GetObject/HeadObject requests carry no prefix,
      # so a conditioned grant would not apply to them (docs/terraform.md).
      Sid      = "TellMissingFromDenied"
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = [var.bucket_arn]
    },
    {
      Sid      = "WriteReportsAndAnswers"
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = ["${var.bucket_arn}/${var.jobs_prefix}*/leaves/*", "${var.bucket_arn}/${var.jobs_prefix}*/spill/*", "${var.bucket_arn}/${var.predict_prefix}*/out-*"]
    },
    {
      Sid      = "SendReports"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
      Resource = [var.reports_queue_arn]
    },
    {
      Sid      = "UpdateJobTable"
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      Resource = [var.job_table_arn]
    },
    {
      Sid      = "ReportFailedEvents"
      Effect   = "Allow"
      Action   = [local.failure_service == "sqs" ? "sqs:SendMessage" : "sns:Publish"]
      Resource = [var.on_failure_destination_arn]
    },
    {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${local.arn_prefix}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.shard_pattern}:*"]
    },
  ], local.trace_statements)
}

resource "aws_iam_role" "shard" {
  name_prefix = "${substr(var.function_prefix, 0, 32)}-shard-"
  description = "Execution role shared by the ${var.shard_count} SnakeBatch shards"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "shard" {
  name   = "snakebatch-shard"
  role   = aws_iam_role.shard.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.policy_statements })
}
