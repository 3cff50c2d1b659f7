resource "aws_cloudwatch_log_group" "shard" {
  #checkov:skip=CKV_AWS_158:Logs carry role timings and ids, no population data; the service key encrypts them.
  #checkov:skip=CKV_AWS_338:Shard logs are for debugging recent jobs; a year of retention on 100 groups costs more than it tells.
  count = var.shard_count

  name              = "/aws/lambda/${local.function_names[count.index]}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}
