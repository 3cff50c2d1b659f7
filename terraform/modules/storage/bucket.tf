locals {
  uploads_prefix = "uploads/"
  predict_prefix = "predict/"
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket per env; CloudTrail data events cover audit.
  #checkov:skip=CKV_AWS_144:Job staging is short-lived scratch data, rebuilt from the upload; no cross-region copy.
  #checkov:skip=CKV2_AWS_62:Nothing consumes bucket events; leaves report through SQS.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-job-staging"
    status = "Enabled"

    filter {
      prefix = var.jobs_prefix
    }

    expiration {
      days = var.jobs_expiry_days
    }
  }

  # Gatherer uploads (snakebatch.gatherer.uploads.PREFIX): only the gatherer's role
  # reads them; a training run copies what it needs into jobs/ when it stages.
  rule {
    id     = "expire-uploads"
    status = "Enabled"

    filter {
      prefix = local.uploads_prefix
    }

    expiration {
      days = var.uploads_expiry_days
    }
  }

  # Fan-out predictions (snakebatch.mesh.predict): the batch and its answers are read
  # once, within predict-sync's wait.
  rule {
    id     = "expire-predictions"
    status = "Enabled"

    filter {
      prefix = local.predict_prefix
    }

    expiration {
      days = 1
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    # An explicit empty prefix (not `filter {}`) reads back identically, so the
    # provider's wait for a steady lifecycle ends at once.
    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiry_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# jsonencode rather than an aws_iam_policy_document data source: the document is then
# rendered by Terraform itself, so a test against a mocked provider reads the real JSON.
resource "aws_s3_bucket_policy" "tls_only" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}
