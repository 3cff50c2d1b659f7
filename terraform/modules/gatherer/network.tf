resource "aws_security_group" "instance" {
  name_prefix = "${var.name}-instance-"
  description = "SnakeBatch gatherer instances"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-instance" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  count = var.create_alb ? 1 : 0

  security_group_id            = aws_security_group.instance.id
  description                  = "API traffic from the load balancer"
  referenced_security_group_id = aws_security_group.alb[0].id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

resource "aws_vpc_security_group_ingress_rule" "app_direct" {
  for_each = var.create_alb ? toset([]) : toset(var.ingress_cidr_blocks)

  security_group_id = aws_security_group.instance.id
  description       = "API traffic straight to the instance (no load balancer)"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.app_port
  to_port           = var.app_port
}

resource "aws_vpc_security_group_egress_rule" "https" {
  #checkov:skip=CKV_AWS_382:The gatherer calls regional AWS APIs (S3, SQS, DynamoDB, Lambda) over HTTPS; without VPC endpoints their addresses are not enumerable.
  security_group_id = aws_security_group.instance.id
  description       = "HTTPS to AWS APIs and package mirrors"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
