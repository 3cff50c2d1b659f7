locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account    = data.aws_caller_identity.current.account_id

  # s3://bucket/key -> arn:aws:s3:::bucket/key, for the artefacts cloud-init downloads.
  artefact_arns = [for uri in compact([var.wheel_s3_uri, var.wheelhouse_s3_uri, var.docs_s3_uri]) : "${local.arn_prefix}:s3:::${trimprefix(uri, "s3://")}"]
}

resource "aws_iam_role" "this" {
  name_prefix = "${var.name}-"
  description = "SnakeBatch gatherer: stage jobs, fan out root divides, drain reports"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "snakebatch-gatherer"
  role = aws_iam_role.this.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "StageAndServeJobs"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${var.permissions.bucket_arn}/jobs/*"]
      },
      {
        Sid      = "SharedUploads"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = ["${var.permissions.bucket_arn}/uploads/*"]
      },
      {
        Sid      = "FetchReleaseArtefacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = local.artefact_arns
      },
      {
        Sid      = "ReadApiKeys"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = ["${local.arn_prefix}:ssm:${var.mesh.region}:${local.account}:parameter${var.api_keys_parameter}"]
      },
      {
        Sid       = "DecryptApiKeys"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = ["${local.arn_prefix}:kms:${var.mesh.region}:${local.account}:key/*"]
        Condition = { StringEquals = { "kms:ViaService" = "ssm.${var.mesh.region}.amazonaws.com" } }
      },
      {
        Sid       = "ListJobsAndUploads"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [var.permissions.bucket_arn]
        Condition = { StringLike = { "s3:prefix" = ["jobs/*", "uploads/*"] } }
      },
      {
        Sid      = "DrainReports"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:SendMessage"]
        Resource = [var.permissions.reports_queue_arn, var.permissions.reports_dlq_arn]
      },
      {
        Sid      = "JobTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem"]
        Resource = [var.permissions.job_table_arn]
      },
      {
        Sid      = "FanOutRootDivides"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [var.permissions.shard_function_arn, "${var.permissions.shard_function_arn}:*"]
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.this.name
  policy_arn = "${local.arn_prefix}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.this.name
  tags        = var.tags
}
