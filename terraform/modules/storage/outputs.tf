output "bucket_name" {
  description = "Name of the bucket (SNAKEBATCH_BUCKET)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "jobs_prefix" {
  description = "Key prefix of per-job staging; IAM read grants are scoped to it."
  value       = var.jobs_prefix
}

output "uploads_prefix" {
  description = "Key prefix of gatherer uploads; the gatherer's role needs read/write there, the shards' role nothing."
  value       = local.uploads_prefix
}

output "predict_prefix" {
  description = "Key prefix of mesh predictions; the gatherer writes batches and reads answers there, shards the reverse."
  value       = local.predict_prefix
}

output "table_name" {
  description = "Name of the job table (SNAKEBATCH_JOB_TABLE)."
  value       = aws_dynamodb_table.jobs.name
}

output "table_arn" {
  description = "ARN of the job table."
  value       = aws_dynamodb_table.jobs.arn
}

output "table_hash_key" {
  description = "Hash key of the job table."
  value       = var.table_hash_key
}

output "table_ttl_attribute" {
  description = "TTL attribute of the job table."
  value       = var.table_ttl_attribute
}
