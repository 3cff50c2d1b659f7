variables {
  settings   = jsondecode(file("../../../snakebatch/settings.json"))
  account_id = "210987654321"
}

run "names_come_from_settings" {
  command = apply

  assert {
    condition     = length(output.function_names) == var.settings.shard_count && output.function_names[9] == "${var.settings.function_prefix}-09"
    error_message = "Function names must be settings.function_prefix-NN for every shard."
  }
  assert {
    condition     = output.reports_queue == var.settings.reports_queue && output.job_table == var.settings.job_table && output.bucket == "snakebatch-jobs-210987654321-${var.settings.region}"
    error_message = "Without a suffix the names must be exactly the settings (the bucket's template filled with the account and region)."
  }
}

run "shard_override_and_suffix" {
  command = apply

  variables {
    shard_count = 3
    name_suffix = "-dev"
  }

  assert {
    condition     = output.function_names == ["${var.settings.function_prefix}-dev-00", "${var.settings.function_prefix}-dev-01", "${var.settings.function_prefix}-dev-02"]
    error_message = "shard_count must override settings and the suffix must follow the prefix."
  }
}

run "rejects_bad_suffix" {
  command = plan
  variables {
    name_suffix = "_DEV"
  }
  expect_failures = [var.name_suffix]
}

run "rejects_shard_count_over_100" {
  command = plan
  variables {
    shard_count = 250
  }
  expect_failures = [var.shard_count]
}

run "rejects_settings_missing_an_env_name" {
  command = plan
  variables {
    settings = merge(jsondecode(file("../../../snakebatch/settings.json")), { env = { backend = "SNAKEBATCH_BACKEND" } })
  }
  expect_failures = [var.settings]
}

run "bucket_name_overrides_the_template" {
  command = apply

  variables {
    bucket_name = "acme-snakebatch"
    name_suffix = "-dev"
  }

  assert {
    condition     = output.bucket == "acme-snakebatch"
    error_message = "An explicit bucket_name must be used as is."
  }
}

run "suffix_follows_the_filled_bucket_template" {
  command = apply

  variables {
    name_suffix = "-dev"
  }

  assert {
    condition     = output.bucket == "snakebatch-jobs-210987654321-${var.settings.region}-dev"
    error_message = "The suffix must follow the account and region."
  }
}

run "refuses_a_bucket_template_without_an_account" {
  command = plan

  variables {
    account_id = ""
  }

  expect_failures = [output.bucket]
}

run "rejects_an_invalid_bucket_name" {
  command = plan

  variables {
    bucket_name = "Snake_Batch"
  }

  expect_failures = [var.bucket_name]
}
