"""Test doubles that speak real HTTP on 127.0.0.1, for parts that cannot run here for real."""
