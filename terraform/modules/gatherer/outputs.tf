output "autoscaling_group_name" {
  description = "Name of the gatherer's autoscaling group."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

output "ami_id" {
  description = "AMI the launch template uses (resolved from the public SSM parameter)."
  value       = data.aws_ssm_parameter.ami.insecure_value
}

output "security_group_id" {
  description = "Security group of the instances."
  value       = aws_security_group.instance.id
}

output "role_name" {
  description = "IAM role of the instances."
  value       = aws_iam_role.this.name
}

output "instance_profile_arn" {
  description = "Instance profile of the instances."
  value       = aws_iam_instance_profile.this.arn
}

output "alb_dns_name" {
  description = "DNS name of the ALB, or null without one."
  value       = try(aws_lb.this[0].dns_name, null)
}

output "target_group_arn" {
  description = "Target group of the ALB, or null without one."
  value       = try(aws_lb_target_group.this[0].arn, null)
}

output "release_artefact_arns" {
  description = "S3 objects (wheel, docs tarball) the instance role may read, and nothing else in S3 outside jobs/."
  value       = local.artefact_arns
}

output "alb_target" {
  description = "ARN suffixes of the ALB and its target group (the unhealthy-hosts alarm's dimensions), or null without an ALB."
  value       = var.create_alb ? { load_balancer = aws_lb.this[0].arn_suffix, target_group = aws_lb_target_group.this[0].arn_suffix } : null
}
