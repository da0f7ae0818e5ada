"""isolde.video"""
