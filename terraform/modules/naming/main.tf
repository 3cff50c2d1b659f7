locals {
  shard_count     = coalesce(var.shard_count, var.settings.shard_count)
  function_prefix = "${var.settings.function_prefix}${var.name_suffix}"

  # settings.bucket is a template: S3 names are global, so the default carries the account
  # and region (snakebatch.settings.bucket_name is the same rule).
  default_bucket = "${replace(replace(var.settings.bucket, "{account}", var.account_id), "{region}", var.settings.region)}${var.name_suffix}"
  bucket         = var.bucket_name != "" ? var.bucket_name : local.default_bucket

  # format("%s-%02d") is the same rule as snakebatch.settings.shard_function_name.
  function_names = [for shard in range(local.shard_count) : format("%s-%02d", local.function_prefix, shard)]

  # shard_for(model_id, key) = first 16 hex digits of sha256("{model_id}:{key}") mod shard_count.
  # Terraform numbers are arbitrary precision, so the 64-bit prefix is exact.
  shard_for = [
    for sample in var.shard_hash_samples :
    parseint(substr(sha256("${sample.model_id}:${sample.key}"), 0, 16), 16) % local.shard_count
  ]
}
