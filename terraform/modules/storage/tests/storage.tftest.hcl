mock_provider "aws" {}

# A distinct bucket ARN, so the policy test sees which resource each statement names.
override_resource {
  target = aws_s3_bucket.this
  values = { id = "snake-batch-jobs", arn = "arn:aws:s3:::snake-batch-jobs" }
}

variables {
  bucket_name = "snake-batch-jobs"
  table_name  = "v9-jobs"
}

run "bucket_is_private_versioned_encrypted_and_expires_staging" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All public access must be blocked."
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be on."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Objects must be encrypted with KMS by default."
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.expiration[0].days if r.id == "expire-job-staging"][0] == 30 && [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix if r.id == "expire-job-staging"][0] == "jobs/"
    error_message = "jobs/ (models included) must expire after the job records' 30-day TTL, not before."
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.expiration[0].days if r.id == "expire-uploads"][0] == 7 && [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix if r.id == "expire-uploads"][0] == "uploads/" && output.uploads_prefix == "uploads/"
    error_message = "Gatherer uploads under uploads/ must expire."
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.expiration[0].days if r.id == "expire-predictions"][0] == 1 && [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix if r.id == "expire-predictions"][0] == "predict/" && output.predict_prefix == "predict/"
    error_message = "Fan-out prediction batches and answers under predict/ must expire after a day."
  }
  assert {
    condition = jsondecode(aws_s3_bucket_policy.tls_only.policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::snake-batch-jobs", "arn:aws:s3:::snake-batch-jobs/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }]
    }
    error_message = "The rendered bucket policy must be exactly the TLS-only deny, on the bucket and its objects."
  }
}

run "table_is_on_demand_with_ttl_and_pitr" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.jobs.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.jobs.hash_key == "pk"
    error_message = "The job table must be on-demand with hash key pk."
  }
  assert {
    condition     = aws_dynamodb_table.jobs.ttl[0].enabled && aws_dynamodb_table.jobs.ttl[0].attribute_name == "expires_at"
    error_message = "Items must expire by expires_at."
  }
  assert {
    condition     = aws_dynamodb_table.jobs.point_in_time_recovery[0].enabled && aws_dynamodb_table.jobs.deletion_protection_enabled
    error_message = "PITR and deletion protection must be on by default."
  }
}

run "rejects_uppercase_bucket" {
  command = plan
  variables {
    bucket_name = "Snake_Batch"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_prefix_without_slash" {
  command = plan
  variables {
    jobs_prefix = "jobs"
  }
  expect_failures = [var.jobs_prefix]
}

run "rejects_zero_day_expiry" {
  command = plan
  variables {
    jobs_expiry_days = 0
  }
  expect_failures = [var.jobs_expiry_days]
}

run "rejects_zero_day_upload_expiry" {
  command = plan
  variables {
    uploads_expiry_days = 0
  }
  expect_failures = [var.uploads_expiry_days]
}
