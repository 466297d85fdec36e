import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../../shared/config.ts';
import type { CollectNetwork } from './collector-functions.ts';

export interface CollectorNetworkProps {
  readonly config: NetworkConfig;
  /** Retention of the VPC flow logs (created VPC only). @default logs.RetentionDays.THREE_MONTHS */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * Where the collect Lambda runs when an Atlassian site restricts API access to allowlisted IP ranges (a site's
 * REST API refuses other addresses: Atlassian Support, "Specify IP addresses for product access"): a Lambda
 * outside a VPC has no fixed egress address.
 *
 * `create`: a VPC with a public and a private subnet per zone and one NAT gateway with an Elastic IP per zone
 * (each zone keeps its own way out), VPC flow logs to CloudWatch Logs, and an S3 gateway endpoint (the staged
 * parts go to S3 without crossing the NAT, whose data processing is billed per GB). `egressIps` are the Elastic
 * IPs to put in the allowlist. `existing`: your VPC's private subnets; your NAT's addresses are the egress IPs.
 */
export class CollectorNetwork extends Construct {
  readonly placement: CollectNetwork;
  /** The created VPC (undefined for an existing one). */
  readonly vpc: ec2.Vpc | undefined;
  /** The NAT gateways' Elastic IPs, comma-separated (a token; created VPC only). */
  readonly egressIps: string | undefined;

  constructor(scope: Construct, id: string, props: CollectorNetworkProps) {
    super(scope, id);
    const c = props.config;
    if (c.mode === 'existing') {
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: c.vpcId, availabilityZones: Fn.getAzs() });
      this.placement = {
        vpc,
        subnets: { subnets: c.subnetIds.map((s, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, s)) },
        ...(c.securityGroupIds
          ? { securityGroups: c.securityGroupIds.map((g, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, g)) }
          : {}),
      };
      this.vpc = undefined;
      this.egressIps = undefined;
      return;
    }
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(c.cidr),
      maxAzs: c.maxAzs,
      natGateways: c.maxAzs,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 28 },
        { name: 'collect', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 27 },
      ],
      restrictDefaultSecurityGroup: false,
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.vpc = vpc;
    this.placement = { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } };
    const eips = vpc.publicSubnets.map((s) => s.node.findChild('EIP') as ec2.CfnEIP);
    this.egressIps = Fn.join(',', eips.map((e) => e.attrPublicIp));
  }
}
