"""isolde.core"""
