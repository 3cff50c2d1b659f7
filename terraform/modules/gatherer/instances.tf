resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  description            = "SnakeBatch gatherer (snakebatch-web)"
  image_id               = data.aws_ssm_parameter.ami.insecure_value
  instance_type          = var.instance_type
  update_default_version = true
  ebs_optimized          = true
  vpc_security_group_ids = [aws_security_group.instance.id]

  user_data = base64encode(templatefile(var.cloud_init_template_path, {
    region             = var.mesh.region
    wheel_s3_uri       = var.wheel_s3_uri
    docs_s3_uri        = var.docs_s3_uri
    wheelhouse_s3_uri  = var.wheelhouse_s3_uri
    bucket             = var.mesh.bucket
    reports_queue_url  = var.mesh.reports_queue_url
    reports_dlq_url    = var.mesh.reports_dlq_url
    job_table          = var.mesh.job_table
    function_prefix    = var.mesh.function_prefix
    shard_count        = var.mesh.shard_count
    api_keys_parameter = var.api_keys_parameter
    port               = var.app_port
    workers            = var.workers
    systemd_unit       = file(var.systemd_unit_path)
  }))

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      kms_key_id            = var.ebs_kms_key_arn
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.name })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name_prefix               = "${var.name}-"
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  health_check_type         = var.create_alb ? "ELB" : "EC2"
  health_check_grace_period = 300
  target_group_arns         = aws_lb_target_group.this[*].arn

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, { Name = var.name })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
