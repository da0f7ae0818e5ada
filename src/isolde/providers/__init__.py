"""isolde.providers"""
