resource "aws_security_group" "alb" {
  count = var.create_alb ? 1 : 0

  name_prefix = "${var.name}-alb-"
  description = "SnakeBatch gatherer load balancer"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = var.create_alb ? { for pair in setproduct(var.ingress_cidr_blocks, [80, 443]) : "${pair[0]}:${pair[1]}" => pair } : {}

  security_group_id = aws_security_group.alb[0].id
  description       = each.value[1] == 443 ? "HTTPS from clients" : "HTTP from clients (redirected to HTTPS)"
  cidr_ipv4         = each.value[0]
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
}

resource "aws_vpc_security_group_egress_rule" "alb_to_instances" {
  count = var.create_alb ? 1 : 0

  security_group_id            = aws_security_group.alb[0].id
  description                  = "Forward to the gatherer instances"
  referenced_security_group_id = aws_security_group.instance.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket with an ELB bucket policy; left to the account's logging baseline.
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is an account-level decision; the API authenticates with API keys and rate-limits itself.
  #checkov:skip=CKV_AWS_150:Deletion protection is the alb_deletion_protection input, on by default and in prod; off only in throwaway envs.
  count = var.create_alb ? 1 : 0

  name                       = var.name
  internal                   = var.alb_internal
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb[0].id]
  subnets                    = var.alb_subnet_ids
  drop_invalid_header_fields = true
  idle_timeout               = var.alb_idle_timeout
  enable_deletion_protection = var.alb_deletion_protection
  tags                       = var.tags

  lifecycle {
    precondition {
      condition     = length(var.alb_subnet_ids) >= 2
      error_message = "An ALB needs alb_subnet_ids in at least two availability zones."
    }
  }
}

resource "aws_lb_target_group" "this" {
  count = var.create_alb ? 1 : 0

  name_prefix = "sbg-"
  port        = var.app_port
  protocol    = "HTTP"
  vpc_id      = var.vpc_id

  # Long-polling model downloads must finish before a deregistered instance goes.
  deregistration_delay = 60

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  count = var.create_alb ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  count = var.create_alb ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
