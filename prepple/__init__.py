"""Prepple: the place to prepare for behavioral interviews."""
