"""isolde.audio"""
