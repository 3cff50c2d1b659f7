resource "aws_dynamodb_table" "jobs" {
  #checkov:skip=CKV_AWS_119:Counters and grid cells are operational state; the AWS-managed key is enough unless kms_key_arn is set.
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.table_hash_key
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = var.table_hash_key
    type = "S"
  }

  ttl {
    enabled        = true
    attribute_name = var.table_ttl_attribute
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
