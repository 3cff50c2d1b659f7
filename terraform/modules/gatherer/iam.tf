locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account    = data.aws_caller_identity.current.account_id

  # s3://bucket/key -> arn:aws:s3:::bucket/key, for the artefacts cloud-init downloads.
  artefact_arns = [for uri in compact([var.wheel_s3_uri, var.wheelhouse_s3_uri, var.docs_s3_uri]) : "${local.arn_prefix}:s3:::${trimprefix(uri, "s3://")}"]

  api_keys_parameter_arn = "${local.arn_prefix}:ssm:${var.mesh.region}:${local.account}:parameter${var.api_keys_parameter}"

  # Session Manager shell access. These are the agent's channel actions from
  # AmazonSSMManagedInstanceCore, without its ssm:GetParameter(s) on "*", which would
  # read every SecureString the instance can decrypt. None of them supports
  # resource-level permissions except the registration, scoped to the account's instances.
  session_manager_statements = [{
    Sid      = "SessionManagerRegistration"
    Effect   = "Allow"
    Action   = ["ssm:UpdateInstanceInformation"]
    Resource = ["${local.arn_prefix}:ec2:${var.mesh.region}:${local.account}:instance/*"]
    }, {
    Sid    = "SessionManagerChannels"
    Effect = "Allow"
    Action = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
      "ec2messages:AcknowledgeMessage",
      "ec2messages:DeleteMessage",
      "ec2messages:FailMessage",
      "ec2messages:GetEndpoint",
      "ec2messages:GetMessages",
      "ec2messages:SendReply",
    ]
    Resource = ["*"]
  }]

  # With the AWS-managed aws/ssm key (api_keys_kms_key_arn = null) the key's own policy
  # lets the account's principals decrypt through SSM, so no grant is needed. A
  # customer-managed key is granted for this one parameter only (SSM passes the
  # parameter's ARN as the encryption context).
  api_keys_kms_statements = var.api_keys_kms_key_arn == null ? [] : [{
    Sid      = "DecryptApiKeys"
    Effect   = "Allow"
    Action   = ["kms:Decrypt"]
    Resource = [var.api_keys_kms_key_arn]
    Condition = {
      StringEquals = {
        "kms:ViaService"                      = "ssm.${var.mesh.region}.amazonaws.com"
        "kms:EncryptionContext:PARAMETER_ARN" = local.api_keys_parameter_arn
      }
    }
  }]
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
    Statement = concat([
      {
        Sid      = "StageAndServeJobs"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${var.permissions.bucket_arn}/jobs/*"]
      },
      {
        # predict-sync fan-out: the gatherer writes the query batch and reads each
        # chunk's answers (snakebatch.mesh.predict).
        Sid      = "FanOutPredictions"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${var.permissions.bucket_arn}/predict/*"]
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
        Resource = [local.api_keys_parameter_arn]
      },
      {
        # Without s3:ListBucket S3 answers a missing object with 403 instead of 404, and
        # the gatherer polls for answers and leaf reports that are not there yet. No
        # s3:prefix condition: GetObject/HeadObject carry no prefix, so a conditioned
        # grant would not apply to them (docs/terraform.md).
        Sid      = "TellMissingFromDenied"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [var.permissions.bucket_arn]
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
      ],
      local.session_manager_statements,
      local.api_keys_kms_statements,
    )
  })
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.this.name
  tags        = var.tags
}
