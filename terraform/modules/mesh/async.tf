locals {
  # The aws backend may invoke a shard unqualified or through its alias
  # (LambdaInvoker's qualifier); each qualifier has its own async config.
  invoke_qualifiers = ["$LATEST", var.alias_name]

  invoke_configs = {
    for pair in setproduct(range(var.shard_count), local.invoke_qualifiers) :
    "${local.function_names[pair[0]]}:${pair[1]}" => { shard = pair[0], qualifier = pair[1] }
  }
}

resource "aws_lambda_function_event_invoke_config" "shard" {
  for_each = local.invoke_configs

  function_name                = aws_lambda_function.shard[each.value.shard].function_name
  qualifier                    = each.value.qualifier == "$LATEST" ? "$LATEST" : aws_lambda_alias.live[each.value.shard].name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = var.on_failure_destination_arn
    }
  }
}
