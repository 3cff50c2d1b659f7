terraform {
  # Pure module: no provider, so the consistency test applies it in milliseconds.
  required_version = ">= 1.11.0"
}
