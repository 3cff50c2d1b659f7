mock_provider "aws" {
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  vpc_id                   = "vpc-0abc"
  subnet_ids               = ["subnet-0aa", "subnet-0bb"]
  cloud_init_template_path = "../../../gatherer/cloud-init.yaml.tftpl"
  systemd_unit_path        = "../../../gatherer/snakebatch-gatherer.service"
  wheel_s3_uri             = "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl"
  wheelhouse_s3_uri        = "s3://snake-batch-releases/wheelhouse.tar"
  mesh = {
    region            = "eu-west-3"
    bucket            = "snake-batch-jobs"
    reports_queue_url = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports"
    reports_dlq_url   = "https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports-dlq"
    job_table         = "v9-jobs"
    function_prefix   = "v9-worker-pipe"
    shard_count       = 100
  }
  ingress_cidr_blocks = ["203.0.113.0/24"]
  permissions = {
    bucket_arn         = "arn:aws:s3:::snake-batch-jobs"
    reports_queue_arn  = "arn:aws:sqs:eu-west-3:123456789012:v9-reports"
    reports_dlq_arn    = "arn:aws:sqs:eu-west-3:123456789012:v9-reports-dlq"
    job_table_arn      = "arn:aws:dynamodb:eu-west-3:123456789012:table/v9-jobs"
    shard_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:v9-worker-pipe-??"
  }
}

run "launch_template_is_graviton_imdsv2_encrypted" {
  command = plan

  assert {
    condition     = aws_launch_template.this.instance_type == "t4g.2xlarge" && aws_launch_template.this.image_id == "ami-0123456789abcdef0"
    error_message = "The gatherer must run t4g.2xlarge on the AMI from the public SSM parameter."
  }
  assert {
    condition     = data.aws_ssm_parameter.ami.name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    error_message = "The AMI must come from the public arm64 SSM parameter."
  }
  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_tokens == "required"
    error_message = "IMDSv2 must be required."
  }
  assert {
    condition     = aws_launch_template.this.block_device_mappings[0].ebs[0].encrypted == "true"
    error_message = "The root volume must be encrypted."
  }
  assert {
    condition = alltrue([for line in [
      "SNAKEBATCH_REPORTS_QUEUE_URL=https://sqs.eu-west-3.amazonaws.com/123456789012/v9-reports\n",
      "SNAKEBATCH_SHARD_COUNT=100\n",
      "SNAKEBATCH_PORT=8080\n",
      "s3://snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl",
      "ExecStart=",
    ] : strcontains(base64decode(aws_launch_template.this.user_data), line)])
    error_message = "User data must be the rendered cloud-init template with the mesh's names and the systemd unit."
  }
  assert {
    condition     = aws_autoscaling_group.this.health_check_type == "EC2" && aws_autoscaling_group.this.instance_refresh[0].strategy == "Rolling"
    error_message = "Without an ALB the ASG checks EC2 health and refreshes instances on template changes."
  }
  assert {
    condition     = length(aws_lb.this) == 0 && length(aws_vpc_security_group_ingress_rule.app_direct) == 1
    error_message = "create_alb = false must make no load balancer and open the app port to the clients directly."
  }
}

run "alb_terminates_https_and_redirects_http" {
  command = plan

  variables {
    create_alb      = true
    alb_subnet_ids  = ["subnet-0cc", "subnet-0dd"]
    certificate_arn = "arn:aws:acm:eu-west-3:123456789012:certificate/abc"
  }

  assert {
    condition     = length(aws_lb.this) == 1 && aws_lb.this[0].drop_invalid_header_fields
    error_message = "create_alb must make one ALB that drops invalid headers."
  }
  assert {
    condition     = aws_lb.this[0].idle_timeout == 180
    error_message = "The ALB must keep a connection idle longer than predict-sync's 120 s wait (180 s)."
  }
  assert {
    condition     = aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].certificate_arn == "arn:aws:acm:eu-west-3:123456789012:certificate/abc"
    error_message = "The ALB must listen on HTTPS with the given certificate."
  }
  assert {
    condition     = aws_lb_listener.http_redirect[0].default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "Plain HTTP must redirect to HTTPS."
  }
  assert {
    condition     = aws_autoscaling_group.this.health_check_type == "ELB" && aws_lb_target_group.this[0].health_check[0].path == "/v9/health"
    error_message = "Behind the ALB the ASG must use ELB health checks on /v9/health."
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.app_direct) == 0 && length(aws_vpc_security_group_ingress_rule.app_from_alb) == 1
    error_message = "Behind the ALB, instances must accept traffic only from the ALB."
  }
}

run "rejects_alb_without_certificate" {
  command = plan
  variables {
    create_alb     = true
    alb_subnet_ids = ["subnet-0cc", "subnet-0dd"]
  }
  expect_failures = [var.certificate_arn]
}

run "rejects_x86_instance_type" {
  command = plan
  variables {
    instance_type = "m5.xlarge"
  }
  expect_failures = [var.instance_type]
}

run "rejects_non_arm_ami_parameter" {
  command = plan
  variables {
    ami_ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  }
  expect_failures = [var.ami_ssm_parameter]
}

run "rejects_desired_above_max" {
  command = plan
  variables {
    desired_capacity = 3
  }
  expect_failures = [var.desired_capacity]
}

run "rejects_bad_cidr" {
  command = plan
  variables {
    ingress_cidr_blocks = ["0.0.0.0/33"]
  }
  expect_failures = [var.ingress_cidr_blocks]
}

run "rejects_an_idle_timeout_shorter_than_predict_sync" {
  command = plan
  variables {
    alb_idle_timeout = 60
  }
  expect_failures = [var.alb_idle_timeout]
}

run "rejects_wheelhouse_outside_s3" {
  command = plan
  variables {
    wheelhouse_s3_uri = "https://pypi.org/simple/"
  }
  expect_failures = [var.wheelhouse_s3_uri]
}

run "rejects_wheel_outside_s3" {
  command = plan
  variables {
    wheel_s3_uri = "https://example.com/snakebatch.whl"
  }
  expect_failures = [var.wheel_s3_uri]
}

run "rejects_relative_api_keys_parameter" {
  command = plan
  variables {
    api_keys_parameter = "snakebatch/api-keys"
  }
  expect_failures = [var.api_keys_parameter]
}

run "instance_role_reads_only_its_artefacts_and_keys" {
  command = plan

  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Resource if st.Sid == "FetchReleaseArtefacts"][0] == ["arn:aws:s3:::snake-batch-releases/snakebatch-0.1.0-py3-none-any.whl", "arn:aws:s3:::snake-batch-releases/wheelhouse.tar"]
    error_message = "The instance may fetch only the wheel, wheelhouse (and docs) it installs."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Resource if st.Sid == "ReadApiKeys"][0] == ["arn:aws:ssm:eu-west-3:123456789012:parameter/snakebatch/api-keys"]
    error_message = "The instance may read only its API-key parameter."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Resource if st.Sid == "StageAndServeJobs"][0] == ["arn:aws:s3:::snake-batch-jobs/jobs/*"]
    error_message = "The instance may read and write only the jobs/ prefix."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Resource if st.Sid == "SharedUploads"][0] == ["arn:aws:s3:::snake-batch-jobs/uploads/*"]
    error_message = "Uploads are shared between instances through the uploads/ prefix only."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "FanOutPredictions"] == [{ Sid = "FanOutPredictions", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = ["arn:aws:s3:::snake-batch-jobs/predict/*"] }]
    error_message = "predict-sync fan-out writes the batch and reads the answers under predict/ only."
  }
  assert {
    condition     = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "TellMissingFromDenied"] == [{ Sid = "TellMissingFromDenied", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::snake-batch-jobs"] }]
    error_message = "ListBucket on the job bucket, unconditioned (GetObject carries no s3:prefix), so a missing key is a 404."
  }
  assert {
    condition     = !contains([for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Sid], "DecryptApiKeys")
    error_message = "With the AWS-managed aws/ssm key the role needs (and gets) no kms:Decrypt."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.this.policy).Statement : alltrue([for a in st.Action : !startswith(a, "ssm:GetParameter") || st.Resource == ["arn:aws:ssm:eu-west-3:123456789012:parameter/snakebatch/api-keys"]])])
    error_message = "No statement may read any other SSM parameter."
  }
  assert {
    condition     = alltrue([for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st.Sid == "SessionManagerChannels" || alltrue([for r in st.Resource : r != "*" && !endswith(r, ":key/*")])])
    error_message = "Every statement but the unscopable Session Manager channels names the project's resources."
  }
}

run "customer_managed_api_keys_key_is_granted_for_the_parameter_only" {
  command = plan
  variables {
    api_keys_kms_key_arn = "arn:aws:kms:eu-west-3:123456789012:key/0b7d6a2c-1111-4222-8333-944455556666"
  }

  assert {
    condition = [for st in jsondecode(aws_iam_role_policy.this.policy).Statement : st if st.Sid == "DecryptApiKeys"] == [{
      Sid      = "DecryptApiKeys"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = ["arn:aws:kms:eu-west-3:123456789012:key/0b7d6a2c-1111-4222-8333-944455556666"]
      Condition = { StringEquals = {
        "kms:ViaService"                      = "ssm.eu-west-3.amazonaws.com"
        "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-3:123456789012:parameter/snakebatch/api-keys"
      } }
    }]
    error_message = "kms:Decrypt only with the given key, only through SSM, only for the api-keys parameter."
  }
}

run "rejects_a_wildcard_kms_key" {
  command = plan
  variables {
    api_keys_kms_key_arn = "arn:aws:kms:eu-west-3:123456789012:key/*"
  }
  expect_failures = [var.api_keys_kms_key_arn]
}
