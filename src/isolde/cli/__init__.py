"""isolde.cli"""
