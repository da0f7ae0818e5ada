"""isolde.jobs"""
